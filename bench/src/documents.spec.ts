import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeDocuments } from './documents';

describe('the documents of --documents', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  const docs = makeDocuments(100, now);

  it('makes that many users, products with a stock no run exhausts, and confirmed orders', () => {
    assert.deepEqual([docs.users.length, docs.products.length, docs.stocks.length, docs.orders.length], [100, 100, 100, 100]);
    assert.deepEqual(docs.stocks[3], { _id: docs.products[3]._id, stock: 10_000_000, initial: 10_000_000, restocked: 0, writtenOff: 0 });
    assert.equal(new Set(docs.users.map((u) => u.email)).size, 100, 'every email once (a unique index)');
    assert.deepEqual(docs.userIds, docs.users.map((u) => String(u._id)));
  });

  it('stores an order as order-service does: a user and a product of the fill, priced, with the request’s fingerprint', () => {
    const order = docs.orders[5] as { userId: string; status: string; items: Array<{ productId: string; quantity: number; name: string; unitPriceCents: number }>; totalCents: number; fingerprint: string; createdAt: Date };
    assert.ok(docs.userIds.includes(order.userId));
    const product = docs.products.find((p) => String(p._id) === order.items[0].productId)!;
    assert.deepEqual(order.items, [{ productId: String(product._id), quantity: 1, name: product.name, unitPriceCents: product.priceCents }]);
    assert.equal(order.totalCents, product.priceCents);
    assert.equal(order.status, 'confirmed');
    assert.match(order.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(order.createdAt, now);
  });

  it('spreads the orders over the catalog', () => {
    assert.ok(new Set(docs.orders.map((o) => (o as { items: Array<{ productId: string }> }).items[0].productId)).size > 90);
  });
});
