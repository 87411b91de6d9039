import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProductResponse } from '@shop/contracts';
import { KafkaServerRef } from '@shop/platform';
import { ProductCache } from './product.cache';

const product = (id: string, stock: number, name = 'Keyboard'): ProductResponse => ({ id, name, priceCents: 8999, stock, lowStockThreshold: 5, createdAt: '', updatedAt: '' });

function setup() {
  const ref = new KafkaServerRef();
  const cache = new ProductCache(ref);
  let loads = 0;
  const load = (p: ProductResponse) => async () => {
    loads++;
    return p;
  };
  return { ref, cache, load, loads: () => loads };
}

describe('ProductCache', () => {
  it('reads the database once, then answers from memory', async () => {
    const { cache, load, loads } = setup();
    assert.deepEqual(await cache.read('p1', load(product('p1', 10))), product('p1', 10));
    assert.deepEqual(await cache.read('p1', load(product('p1', 99))), product('p1', 10));
    assert.equal(loads(), 1);
  });

  it('answers the stock a movement left, and the catalog an update wrote, at the next read', async () => {
    const { cache, load } = setup();
    await cache.read('p1', load(product('p1', 10)));
    cache.stockChanged('p1', 7);
    assert.equal((await cache.read('p1', load(product('p1', 10)))).stock, 7);
    cache.written(product('p1', 7, 'Keyboard TKL'));
    assert.equal((await cache.read('p1', load(product('p1', 10)))).name, 'Keyboard TKL');
  });

  it('keeps the stock of the latest movement when a catalog edit that read an older stock lands after it', async () => {
    const { cache, load } = setup();
    await cache.read('p1', load(product('p1', 10)));
    cache.stockChanged('p1', 7); // a reservation, handled while the edit was reading the stock
    cache.written(product('p1', 10, 'Keyboard TKL'));
    assert.deepEqual(await cache.read('p1', load(product('p1', 0))), product('p1', 7, 'Keyboard TKL'));
  });

  it('does not keep what a read loaded across a rebalance', async () => {
    const { ref, cache, load, loads } = setup();
    let release!: () => void;
    const reading = cache.read('p1', () => new Promise<ProductResponse>((resolve) => (release = () => resolve(product('p1', 10)))));
    ref.generation++;
    release();
    await reading;
    await cache.read('p1', load(product('p1', 3)));
    assert.equal(loads(), 1, 'the read after the rebalance went to the database');
  });

  it('does not keep what a read loaded while a write happened (it may predate the write)', async () => {
    const { cache, load, loads } = setup();
    let release!: () => void;
    const slowLoad = () => new Promise<ProductResponse>((resolve) => (release = () => resolve(product('p1', 10))));
    const reading = cache.read('p1', slowLoad);
    cache.stockChanged('p1', 7); // the write lands while the read waits on the database
    release();
    assert.equal((await reading).stock, 10, 'the racing read answers what it read');
    assert.equal((await cache.read('p1', load(product('p1', 7)))).stock, 7, 'the next read goes to the database');
    assert.equal(loads(), 1);
  });

  it('keeps what a read loaded while only other products were written (an order load writes one every few milliseconds)', async () => {
    const { cache, load, loads } = setup();
    let release!: () => void;
    const reading = cache.read('p1', () => new Promise<ProductResponse>((resolve) => (release = () => resolve(product('p1', 10)))));
    cache.stockChanged('p2', 3);
    cache.forget('p3');
    release();
    await reading;
    assert.equal((await cache.read('p1', load(product('p1', 99)))).stock, 10, 'answered from memory');
    assert.equal(loads(), 0);
  });

  it('does not keep either of two overlapping reads when a write lands while both wait', async () => {
    const { cache, load, loads } = setup();
    const releases: (() => void)[] = [];
    const slowLoad = () => new Promise<ProductResponse>((resolve) => releases.push(() => resolve(product('p1', 10))));
    const [first, second] = [cache.read('p1', slowLoad), cache.read('p1', slowLoad)];
    cache.stockChanged('p1', 7);
    releases.forEach((release) => release());
    await Promise.all([first, second]);
    assert.equal((await cache.read('p1', load(product('p1', 7)))).stock, 7, 'the next read goes to the database');
    assert.equal(loads(), 1);
  });

  it('forgets a deleted product', async () => {
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
