import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions, resolveRate, rotate } from './options';

describe('options', () => {
  it('defaults to 10 s at 32 connections, ours then the peer, every scenario', () => {
    const o = parseOptions([]);
    assert.equal(o.durationS, 10);
    assert.equal(o.connections, 32);
    assert.deepEqual(o.modes, ['ours', 'peer']);
    assert.equal(o.rounds, 2);
    assert.deepEqual(o.rates, ['50%', '500']);
    assert.equal(o.scenarios.length, 7);
  });

  it('takes flags before BENCH_* variables, and --quick shortens the runs', () => {
    const o = parseOptions(['--quick', '--scenarios', 'health,product-read', '--connections', '8'], { BENCH_CONNECTIONS: '64', BENCH_MODES: 'ours-warn' });
    assert.deepEqual([o.durationS, o.connections, o.modes, o.scenarios, o.quick, o.rounds], [3, 8, ['ours-warn'], ['health', 'product-read'], true, 1]);
  });

  it('refuses an unknown scenario or mode and a duration that is not a positive number', () => {
    assert.throws(() => parseOptions(['--scenarios', 'helth']), /unknown scenario "helth"/);
    assert.throws(() => parseOptions(['--modes', 'fast']), /unknown mode "fast"/);
    assert.throws(() => parseOptions(['--modes', 'tuned,stock']), /unknown mode "tuned"/);
    assert.throws(() => parseOptions(['--duration=0']), /--duration must be a positive number/);
    assert.throws(() => parseOptions(['--rates', 'fast']), /--rates takes numbers/);
  });

  it('fills each database with --documents of each kind before measuring, none by default', () => {
    assert.equal(parseOptions([]).documents, 0);
    assert.equal(parseOptions(['--documents', '10000']).documents, 10_000);
    assert.equal(parseOptions([], { BENCH_DOCUMENTS: '2000' }).documents, 2000);
    assert.throws(() => parseOptions(['--documents', '10k']), /--documents takes a whole number, got "10k"/);
  });

  it('compares FerretDB on SQLite and on PostgreSQL in one run', () => {
    assert.deepEqual(parseOptions(['--modes', 'ours,ours-sqlite']).modes, ['ours', 'ours-sqlite']);
  });

  it('runs an earlier checkout as the baseline mode, only with both the mode and its checkout', () => {
    const o = parseOptions(['--modes', 'ours,baseline,peer', '--baseline', '../before']);
    assert.deepEqual([o.modes, o.baseline], [['ours', 'baseline', 'peer'], '../before']);
    assert.throws(() => parseOptions(['--modes', 'ours,baseline']), /go together/);
    assert.throws(() => parseOptions(['--baseline', '../before']), /go together/);
  });
});

describe('open-loop rates', () => {
  it('takes a number as requests per second and a percentage of the closed-loop req/s', () => {
    assert.equal(resolveRate('500', 180), 500);
    assert.equal(resolveRate('50%', 181), 91);
    assert.equal(resolveRate('90%', 0), 1);
  });
});

describe('the order of the modes', () => {
  it('rotates each round, so with as many rounds as modes each mode runs in every place', () => {
    const modes = ['ours', 'baseline', 'peer'];
    assert.deepEqual([0, 1, 2, 3].map((round) => rotate(modes, round).join(',')), ['ours,baseline,peer', 'baseline,peer,ours', 'peer,ours,baseline', 'ours,baseline,peer']);
  });
});
