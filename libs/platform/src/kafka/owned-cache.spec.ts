import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaServerRef } from '../health/kafka.health';
import { OwnedCache } from './owned-cache';

interface Item {
  id: string;
  stock: number;
}
const product = (id: string, stock: number): Item => ({ id, stock });

function setup() {
  const ref = new KafkaServerRef();
  const cache = new OwnedCache<Item>(ref);
  let loads = 0;
  const load = (p: Item) => async () => {
    loads++;
    return p;
  };
  return { ref, cache, load, loads: () => loads };
}

describe('OwnedCache', () => {
  it('reads the database once, then answers from memory', async () => {
    const { cache, load, loads } = setup();
    assert.deepEqual(await cache.read('p1', load(product('p1', 10))), product('p1', 10));
    assert.deepEqual(await cache.read('p1', load(product('p1', 99))), product('p1', 10));
    assert.equal(loads(), 1);
  });

  it('does not keep what a read loaded across a rebalance', async () => {
    const { ref, cache, load, loads } = setup();
    let release!: () => void;
    const reading = cache.read('p1', () => new Promise<Item>((resolve) => (release = () => resolve(product('p1', 10)))));
    ref.generation++;
    release();
    await reading;
    await cache.read('p1', load(product('p1', 3)));
    assert.equal(loads(), 1, 'the read after the rebalance went to the database');
  });

  it('does not keep what a read loaded while a write happened (it may predate the write)', async () => {
    const { cache, load, loads } = setup();
    let release!: () => void;
    const slowLoad = () => new Promise<Item>((resolve) => (release = () => resolve(product('p1', 10))));
    const reading = cache.read('p1', slowLoad);
    cache.wrote('p1', () => product('p1', 7)); // the write lands while the read waits on the database
    release();
    assert.equal((await reading).stock, 10, 'the racing read answers what it read');
    assert.equal((await cache.read('p1', load(product('p1', 7)))).stock, 7, 'the next read goes to the database');
    assert.equal(loads(), 1);
  });

  it('keeps what a read loaded while only other records were written (an order load writes one every few milliseconds)', async () => {
    const { cache, load, loads } = setup();
    let release!: () => void;
    const reading = cache.read('p1', () => new Promise<Item>((resolve) => (release = () => resolve(product('p1', 10)))));
    cache.wrote('p2', () => product('p2', 3));
    cache.forget('p3');
    release();
    await reading;
    assert.equal((await cache.read('p1', load(product('p1', 99)))).stock, 10, 'answered from memory');
    assert.equal(loads(), 0);
  });

  it('does not keep either of two overlapping reads when a write lands while both wait', async () => {
    const { cache, load, loads } = setup();
    const releases: (() => void)[] = [];
    const slowLoad = () => new Promise<Item>((resolve) => releases.push(() => resolve(product('p1', 10))));
    const [first, second] = [cache.read('p1', slowLoad), cache.read('p1', slowLoad)];
    cache.wrote('p1', () => product('p1', 7));
    releases.forEach((release) => release());
    await Promise.all([first, second]);
    assert.equal((await cache.read('p1', load(product('p1', 7)))).stock, 7, 'the next read goes to the database');
    assert.equal(loads(), 1);
  });

  it('forgets a deleted record', async () => {
    const { cache, load, loads } = setup();
    await cache.read('p1', load(product('p1', 10)));
    cache.forget('p1');
    await assert.rejects(cache.read('p1', () => Promise.reject(new Error('PRODUCT_NOT_FOUND'))), /PRODUCT_NOT_FOUND/);
    assert.equal(loads(), 1);
  });

  it('starts empty after a rebalance: the partitions it owns, and whose writes it sees, may have changed', async () => {
    const { ref, cache, load, loads } = setup();
    await cache.read('p1', load(product('p1', 10)));
    ref.generation++;
    assert.equal((await cache.read('p1', load(product('p1', 4)))).stock, 4);
    assert.equal(loads(), 2);
  });
});
