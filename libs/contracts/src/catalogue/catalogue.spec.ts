import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allTopics, callers, EVENTS, isHandledWhenLate, isReadPattern, patternsCalledBy, pings, RPC, RPC_CONTRACTS } from '../patterns';
import { stockMovement } from '../products/stock-movement.message';
import { renderTopicCatalogue } from './render';

const DOC = join(__dirname, '..', '..', '..', '..', 'docs', 'TOPICS.md');

describe('contract map', () => {
  it('names every pattern once, dotted lowercase <domain>.<action>', () => {
    const patterns = RPC_CONTRACTS.map((c) => c.pattern);
    assert.equal(new Set(patterns).size, patterns.length);
    for (const p of patterns) assert.match(p, /^[a-z]+\.[a-z-]+$/);
  });

  it('gives a reply topic to exactly the apps that wait for answers', () => {
    assert.deepEqual(callers().sort(), ['gateway', 'order-service']);
    const topics = allTopics();
    assert.ok(topics.includes('gateway.replies') && topics.includes('order-service.replies'));
    assert.ok(!topics.some((t) => t.startsWith('user-service.') || t.startsWith('product-service.')));
    assert.ok(!topics.some((t) => t.endsWith('.reply')), "no NestJS '<pattern>.reply' topics");
  });

  it('derives what order-service calls, the read patterns and the pings', () => {
    assert.deepEqual(patternsCalledBy('order-service').map((c) => c.pattern), ['user.get', 'product.get-many', 'product.stock']);
    assert.ok(isReadPattern('product.get') && isReadPattern('order.ping'));
    assert.ok(!isReadPattern('product.stock') && !isReadPattern('order.create'));
    assert.deepEqual(pings().map((p) => `${p.service}:${p.contract.pattern}`), ['user-service:user.ping', 'product-service:product.ping', 'order-service:order.ping']);
  });

  it('hands only product.stock and order.create to their handlers when they arrive late (each finishes what a crash left); every other late request is skipped', () => {
    assert.deepEqual(RPC_CONTRACTS.filter((c) => isHandledWhenLate(c.pattern)).map((c) => c.pattern), ['product.stock', 'order.create']);
  });

  it('keys a stock movement by its product and an order by its id', () => {
    const item = { productId: '6650f0c2a1b2c3d4e5f60719', quantity: 2 };
    assert.equal(RPC.PRODUCT_STOCK.key!.of(stockMovement.reserve('6650f0c2a1b2c3d4e5f60720', item)), item.productId);
    assert.equal(RPC.PRODUCT_STOCK.key!.of(stockMovement.adjust(item.productId, -1)), item.productId);
    assert.equal(EVENTS.ORDER_CANCELLED.key.of({ orderId: 'o1', userId: 'u1', items: [], cancelledAt: '', reason: '' }), 'o1');
  });

  it('gives every adjustment a movement id of its own (idempotence per movement)', () => {
    assert.notEqual(stockMovement.adjust('p', 1).movementId, stockMovement.adjust('p', 1).movementId);
  });
});

describe('topic catalogue', () => {
  it('lists each payload class with its validated fields, and the reply topics of its callers', () => {
    const text = renderTopicCatalogue();
    assert.match(text, /\*\*CreateUserMessage\*\*: `role` \(isIn\); `sealedPassword` \(matches\); `email` \(maxLength, isEmail\); `name` \(matches, isLength, isString\)/);
    assert.match(text, /\| `product\.stock` \| `gateway\.replies`, `order-service\.replies` \| product id/);
    assert.match(text, /\| `user\.get` \| `gateway\.replies`, `order-service\.replies` \| user id \| read/);
    assert.match(text, /\| gateway, order-service, product-service \(one-way, no reply\) \| product-service \|/);
    assert.match(text, /\| `order\.create` \| `gateway\.replies` \|.*\| gateway \(also one-way\) \| order-service \|/);
  });

  it('docs/TOPICS.md is what the contracts say today (run `npm run docs:topics` when this fails)', () => {
    assert.equal(readFileSync(DOC, 'utf8'), renderTopicCatalogue());
  });
});
