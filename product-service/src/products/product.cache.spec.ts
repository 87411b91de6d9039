import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProductResponse } from '@shop/contracts';
import { KafkaServerRef } from '@shop/platform';
import { ProductCache } from './product.cache';

const product = (id: string, stock: number, name = 'Keyboard'): ProductResponse => ({ id, name, priceCents: 8999, stock, lowStockThreshold: 5, createdAt: '', updatedAt: '' });

/** Reading, writing and rebalancing as such: OwnedCache's spec. Here: how writes of a product change what is held. */
function setup() {
  return { cache: new ProductCache(new KafkaServerRef()), load: (p: ProductResponse) => async () => p };
}

describe('ProductCache', () => {
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
});
