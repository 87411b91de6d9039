import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { non2xx, percentile, ratio, summarize } from './stats';

describe('percentile', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes the nearest rank, so p50 of 1..100 is 50 and p99 is 99', () => {
    assert.equal(percentile(oneToHundred, 50), 50);
    assert.equal(percentile(oneToHundred, 95), 95);
    assert.equal(percentile(oneToHundred, 99), 99);
    assert.equal(percentile(oneToHundred, 100), 100);
  });

  it('answers the only value of a single sample, and 0 for no sample', () => {
    assert.equal(percentile([7], 1), 7);
    assert.equal(percentile([7], 99), 7);
    assert.equal(percentile([], 99), 0);
  });

  it('lets one slow answer in 100 set the max but not p99', () => {
    const latencies = [...Array(99).fill(2), 500];
    assert.equal(percentile(latencies, 99), 2);
    assert.equal(percentile(latencies, 100), 500);
  });
});

describe('summarize', () => {
  it('sorts the samples itself and rounds to hundredths of a millisecond', () => {
    assert.deepEqual(summarize([3.333, 1, 2, 10]), { count: 4, mean: 4.08, p50: 2, p95: 10, p99: 10, max: 10 });
  });

  it('gives zeros, not NaN, for a run without one answer', () => {
    assert.deepEqual(summarize([]), { count: 0, mean: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  it('sorts numerically, not as text', () => {
    assert.equal(summarize([9, 10, 100, 11]).p50, 10);
  });
});

describe('non2xx and ratio', () => {
  it('keeps only the statuses that are not 2xx', () => {
    assert.deepEqual(non2xx({ 200: 10, 201: 3, 404: 2, 504: 1 }), { 404: 2, 504: 1 });
  });

  it('divides and rounds, and has no ratio when a side is missing or zero', () => {
    assert.equal(ratio(3000, 1200), 2.5);
    assert.equal(ratio(1, 3), 0.33);
    assert.equal(ratio(5, 0), undefined);
    assert.equal(ratio(undefined, 5), undefined);
  });
});
