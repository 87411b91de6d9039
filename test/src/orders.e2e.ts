import { EVENTS, HEADERS, RPC } from '@shop/contracts';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { allOrders, Client, client, ISO_DATE, OBJECT_ID, uniqueEmail, UNKNOWN_ID } from './support/http';
import { produceRaw, SeenMessage, TopicWatcher } from './support/kafka';
import { percentile } from './support/stats';
import { startApp, waitUntil } from '@shop/stack';
import { untilOrderServiceIdle } from './support/metrics';
import { asAdmin, PASSWORD } from './support/auth';
import { startSystem, System } from './support/system';

interface Product {
  id: string;
  name: string;
  priceCents: number;
  stock: number;
}

describe('orders: the saga over three services keeps stock exact', () => {
  let system: System;
  let api: Client;
  let watcher: TopicWatcher;
  let userId: string;
  /** What the test did to each product: its initial stock and the restocks it made. */
  const ledger = new Map<string, { initial: number; restocked: number }>();
  const orderLatencies: number[] = [];

  async function newProduct(stock: number, extra: Record<string, unknown> = {}): Promise<Product> {
    const res = await api.post('/api/products', { name: `Widget ${randomUUID().slice(0, 8)}`, priceCents: 250, stock, ...extra });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    ledger.set(res.body.id, { initial: stock, restocked: 0 });
    return res.body;
  }

  async function newUser(): Promise<string> {
    const res = await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('buyer'), name: 'Buyer' });
    assert.equal(res.status, 201);
    return res.body.id;
  }

  async function order(items: { productId: string; quantity: number }[], headers?: Record<string, string>, user = userId) {
    const res = await api.post('/api/orders', { userId: user, items }, headers);
    orderLatencies.push(res.ms);
    return res;
  }

  async function stockOf(productId: string): Promise<number> {
    const res = await api.get(`/api/products/${productId}`);
    assert.equal(res.status, 200);
    return res.body.stock;
  }

  /** Restocks through the keyed stock topic, recording it in the ledger. */
  async function restock(productId: string, delta: number) {
    const res = await api.post(`/api/products/${productId}/stock`, { delta });
    if (res.status === 200) ledger.get(productId)!.restocked += delta;
    return res;
  }

  /**
   * Every order.cancelled seen for `orderId` has become its releases on product.stock,
   * and a movement sent after them has been applied: the stock read next is final.
   */
  async function settled(orderId: string, productIds: string[]): Promise<void> {
    await watcher.waitFor(EVENTS.ORDER_CANCELLED.topic, (m) => m.key === orderId);
    const cancelled = watcher.all(EVENTS.ORDER_CANCELLED.topic, (m) => m.key === orderId).length;
    for (const productId of productIds) {
      await waitUntil(
        () => watcher.all(RPC.PRODUCT_STOCK.pattern, (m) => isRelease(m, orderId, productId) && !m.headers['kafka_replyTopic']).length >= cancelled,
        `releases of ${productId} for ${orderId}`,
      );
      assert.equal((await restock(productId, 0)).status, 200, 'a zero restock queues behind the releases');
    }
  }

  before(async () => {
    // The default RPC timeout (5 s): the burst of 100 orders below must fit in it.
    system = await startSystem();
    api = asAdmin(system.gateways[0].url);
    watcher = await new TopicWatcher(system.infra.kafkaBrokers).start([EVENTS.ORDER_CREATED.topic, EVENTS.ORDER_CANCELLED.topic, EVENTS.PRODUCT_STOCK_LOW.topic, EVENTS.PRODUCT_CREATED.topic, RPC.PRODUCT_STOCK.pattern]);
    userId = await newUser();
  });

  after(async () => {
    await watcher?.stop();
    await system?.stop();
  });

  describe('products', () => {
    it('creates, reads, filters, edits catalog fields and deletes a product, stock in every answer', async () => {
      const created = await api.post('/api/products', { name: 'Mechanical keyboard', description: 'Brown switches', priceCents: 8999, stock: 12 });
      assert.equal(created.status, 201);
      assert.deepEqual({ ...created.body, id: undefined, createdAt: undefined, updatedAt: undefined }, {
        id: undefined,
        name: 'Mechanical keyboard',
        description: 'Brown switches',
        priceCents: 8999,
        stock: 12,
        lowStockThreshold: 5,
        createdAt: undefined,
        updatedAt: undefined,
      });
      assert.match(created.body.id, OBJECT_ID);
      assert.match(created.body.createdAt, ISO_DATE);
      ledger.set(created.body.id, { initial: 12, restocked: 0 });
      const event = await watcher.waitFor(EVENTS.PRODUCT_CREATED.topic, (m) => m.key === created.body.id);
      assert.deepEqual(event.value, created.body);

      assert.deepEqual((await api.get(`/api/products/${created.body.id}`)).body, created.body);
      const filtered = await api.get('/api/products?name=MECHANICAL%20key&limit=100');
      assert.ok(filtered.body.items.some((p: Product) => p.id === created.body.id));
      assert.ok(filtered.body.items.every((p: Product) => /mechanical key/i.test(p.name)));

      const patched = await api.patch(`/api/products/${created.body.id}`, { priceCents: 7999 });
      assert.equal(patched.status, 200);
      assert.equal(patched.body.priceCents, 7999);
      assert.equal(patched.body.stock, 12);
      const stockInPatch = await api.patch(`/api/products/${created.body.id}`, { stock: 1000 });
      assert.equal(stockInPatch.status, 400, 'stock is not a catalog field');

      assert.equal((await api.delete(`/api/products/${created.body.id}`)).status, 204);
      const gone = await api.get(`/api/products/${created.body.id}`);
      assert.equal(gone.status, 404);
      assert.equal(gone.body.code, 'PRODUCT_NOT_FOUND');
      ledger.delete(created.body.id);
    });

    it('restocks and writes off through the stock topic, never below zero, and warns when stock runs low', async () => {
      const product = await newProduct(6, { lowStockThreshold: 5 });
      const up = await restock(product.id, 4);
      assert.equal(up.status, 200);
      assert.equal(up.body.stock, 10);
      const tooMuch = await restock(product.id, -11);
      assert.equal(tooMuch.status, 409);
      assert.equal(tooMuch.body.code, 'INSUFFICIENT_STOCK');
      assert.deepEqual(tooMuch.body.details, { productId: product.id, requested: 11, available: 10 });
      const down = await restock(product.id, -6);
      assert.equal(down.body.stock, 4);
      const low = await watcher.waitFor(EVENTS.PRODUCT_STOCK_LOW.topic, (m) => m.key === product.id);
      assert.deepEqual(low.value, { productId: product.id, stock: 4, lowStockThreshold: 5 });
    });
  });

  describe('placing orders', () => {
    it('confirms an order with unit prices copied and totals, takes the stock, and emits order.created', async () => {
      const a = await newProduct(10);
      const b = await newProduct(10, { priceCents: 1999 });
      const res = await order([{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 3 }]);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual({ ...res.body, id: undefined, createdAt: undefined, updatedAt: undefined }, {
        id: undefined,
        userId,
        status: 'confirmed',
        items: [
          { productId: a.id, name: a.name, quantity: 2, unitPriceCents: 250, lineTotalCents: 500 },
          { productId: b.id, name: b.name, quantity: 3, unitPriceCents: 1999, lineTotalCents: 5997 },
        ],
        totalCents: 6497,
        createdAt: undefined,
        updatedAt: undefined,
      });
      assert.equal(await stockOf(a.id), 8);
      assert.equal(await stockOf(b.id), 7);
      assert.deepEqual((await api.get(`/api/orders/${res.body.id}`)).body, res.body);
      const created = await watcher.waitFor(EVENTS.ORDER_CREATED.topic, (m) => m.key === res.body.id);
      assert.deepEqual(created.value, res.body);
      assert.ok(created.headers[HEADERS.EVENT_ID]);
      const mine = await api.get(`/api/orders?userId=${userId}&limit=100`);
      assert.ok(mine.body.items.some((o: { id: string }) => o.id === res.body.id));
      assert.ok(mine.body.items.every((o: { userId: string }) => o.userId === userId));
    });

    it('refuses bad orders with 400, and unknown users or products, or a product on two lines, with 422', async () => {
      const p = await newProduct(5);
      const empty = await order([]);
      assert.equal(empty.status, 400);
      const zero = await order([{ productId: p.id, quantity: 0 }]);
      assert.equal(zero.status, 400);
      assert.equal(zero.body.details[0].field, 'items.0.quantity');
      const twice = await order([{ productId: p.id, quantity: 1 }, { productId: p.id, quantity: 2 }]);
      assert.equal(twice.status, 422, 'the schema cannot say "unique by productId": a 400 is only for what it says');
      assert.equal(twice.body.code, 'DUPLICATE_PRODUCT');
      assert.deepEqual(twice.body.details, { productIds: [p.id] });
      const noUser = await order([{ productId: p.id, quantity: 1 }], undefined, UNKNOWN_ID);
      assert.equal(noUser.status, 422);
      assert.equal(noUser.body.code, 'USER_NOT_FOUND');
      const noProduct = await order([{ productId: p.id, quantity: 1 }, { productId: '6650f0c2a1b2c3d4e5f60719', quantity: 1 }]);
      assert.equal(noProduct.status, 422);
      assert.equal(noProduct.body.code, 'PRODUCT_NOT_FOUND');
      assert.deepEqual(noProduct.body.details, { productIds: ['6650f0c2a1b2c3d4e5f60719'] });
      assert.equal(await stockOf(p.id), 5, 'no refused order moved stock');
    });

    it('sells exactly 60 of 60 to 100 concurrent buyers: 60 confirmed, 40 answered 409, stock 0', async () => {
      const product = await newProduct(60);
      const results = await Promise.all(Array.from({ length: 100 }, () => order([{ productId: product.id, quantity: 1 }])));
      const statuses = results.map((r) => r.status);
      const seen = `statuses: ${JSON.stringify(countBy(statuses))}; others: ${JSON.stringify(results.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.body))}`;
      assert.equal(statuses.filter((s) => s === 201).length, 60, seen);
      assert.equal(statuses.filter((s) => s === 409).length, 40, seen);
      for (const refused of results.filter((r) => r.status === 409)) {
        assert.equal(refused.body.code, 'INSUFFICIENT_STOCK');
        assert.deepEqual(refused.body.details.products, [{ productId: product.id, requested: 1, available: 0 }]);
      }
      assert.equal(await stockOf(product.id), 0);
      const confirmed = results.filter((r) => r.status === 201).map((r) => r.body);
      assert.equal(new Set(confirmed.map((o) => o.id)).size, 60);
      assert.equal(confirmed.reduce((sum, o) => sum + o.items[0].quantity, 0), 60);
      const ms = results.map((r) => r.ms);
      console.log(`# 100 concurrent orders: p50 ${percentile(ms, 50).toFixed(0)} ms, p99 ${percentile(ms, 99).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms`);
    });

    it('leaves every product as it was when a multi-item order cannot be filled', async () => {
      const plenty = await newProduct(5);
      const scarce = await newProduct(1);
      const also = await newProduct(7);
      const res = await order([
        { productId: plenty.id, quantity: 2 },
        { productId: scarce.id, quantity: 3 },
        { productId: also.id, quantity: 7 },
      ]);
      assert.equal(res.status, 409);
      assert.deepEqual(res.body.details, { products: [{ productId: scarce.id, requested: 3, available: 1 }] });
      assert.equal(res.body.message, 'Not enough stock for 1 product');
      assert.deepEqual([await stockOf(plenty.id), await stockOf(scarce.id), await stockOf(also.id)], [5, 1, 7]);
    });
  });

  describe('cancelling', () => {
    it('restocks once when the same order is cancelled twice at the same instant', async () => {
      const product = await newProduct(10);
      const placed = (await order([{ productId: product.id, quantity: 4 }])).body;
      assert.equal(await stockOf(product.id), 6);
      const [first, second] = await Promise.all([api.post(`/api/orders/${placed.id}/cancel`), api.post(`/api/orders/${placed.id}/cancel`)]);
      assert.deepEqual([first.status, second.status], [200, 200]);
      assert.equal(first.body.status, 'cancelled');
      assert.deepEqual(second.body, first.body);
      await settled(placed.id, [product.id]);
      assert.equal(await stockOf(product.id), 10);
    });

    it('ignores a duplicated order.cancelled message', async () => {
      const product = await newProduct(10);
      const placed = (await order([{ productId: product.id, quantity: 3 }])).body;
      assert.equal((await api.post(`/api/orders/${placed.id}/cancel`)).status, 200);
      const original = await watcher.waitFor(EVENTS.ORDER_CANCELLED.topic, (m) => m.key === placed.id);
      await settled(placed.id, [product.id]);
      assert.equal(await stockOf(product.id), 10);

      await produceRaw(system.infra.kafkaBrokers, EVENTS.ORDER_CANCELLED.topic, [{ key: placed.id, value: JSON.stringify(original.value), headers: original.headers }]);
      await watcher.waitFor(EVENTS.ORDER_CANCELLED.topic, (m) => m.key === placed.id && m.offset !== original.offset);
      await settled(placed.id, [product.id]);
      assert.equal(await stockOf(product.id), 10, 'the redelivered event put nothing back twice');
    });

    it('refuses to cancel an unknown order (404)', async () => {
      const res = await api.post('/api/orders/6650f0c2a1b2c3d4e5f6071a/cancel');
      assert.equal(res.status, 404);
      assert.equal(res.body.code, 'ORDER_NOT_FOUND');
    });

    it('cancels a deleted user’s confirmed orders and their stock comes back', async () => {
      const buyer = await newUser();
      const product = await newProduct(10);
      const orders = [(await order([{ productId: product.id, quantity: 2 }], undefined, buyer)).body, (await order([{ productId: product.id, quantity: 3 }], undefined, buyer)).body];
      assert.equal(await stockOf(product.id), 5);
      assert.equal((await api.delete(`/api/users/${buyer}`)).status, 204);
      for (const o of orders) {
        await waitUntil(async () => (await api.get(`/api/orders/${o.id}`)).body.status === 'cancelled', `order ${o.id} cancelled`);
        await watcher.waitFor(EVENTS.ORDER_CANCELLED.topic, (m) => m.key === o.id);
        await settled(o.id, [product.id]);
      }
      assert.equal(await stockOf(product.id), 10);
    });
  });

  describe('idempotency and async', () => {
    it('answers the same Idempotency-Key three times (two at once) with one order, moving stock once', async () => {
      const product = await newProduct(10);
      const key = `checkout-${randomUUID()}`;
      const items = [{ productId: product.id, quantity: 2 }];
      const [a, b] = await Promise.all([order(items, { 'Idempotency-Key': key }), order(items, { 'Idempotency-Key': key })]);
      const c = await order(items, { 'Idempotency-Key': key });
      assert.deepEqual([a.status, b.status, c.status], [201, 201, 201]);
      assert.deepEqual(b.body, a.body);
      assert.deepEqual(c.body, a.body);
      assert.equal(await stockOf(product.id), 8);
      const reused = await order([{ productId: product.id, quantity: 1 }], { 'Idempotency-Key': key });
      assert.equal(reused.status, 422);
      assert.equal(reused.body.code, 'IDEMPOTENCY_KEY_REUSED');
    });

    it('accepts an order with Prefer: respond-async (202) that becomes confirmed, or rejected with the reason', async () => {
      const product = await newProduct(3);
      const accepted = await order([{ productId: product.id, quantity: 2 }], { Prefer: 'respond-async' });
      assert.equal(accepted.status, 202);
      assert.deepEqual(accepted.body, { id: accepted.body.id, status: 'pending' });
      assert.equal(accepted.headers.get('location'), `/api/orders/${accepted.body.id}`);
      const confirmed = await finalState(api, accepted.body.id);
      assert.equal(confirmed.status, 'confirmed');
      assert.equal(confirmed.totalCents, 500);

      const refused = await order([{ productId: product.id, quantity: 2 }], { Prefer: 'respond-async' });
      assert.equal(refused.status, 202);
      const rejected = await finalState(api, refused.body.id);
      assert.equal(rejected.status, 'rejected');
      assert.equal(rejected.rejection.code, 'INSUFFICIENT_STOCK');
      assert.deepEqual(rejected.rejection.details, { products: [{ productId: product.id, requested: 2, available: 1 }] });
      assert.equal(await stockOf(product.id), 1);
    });
  });

  describe('overload', () => {
    it('refuses orders beyond capacity at once (503 OVERLOADED, Retry-After) instead of timing them out; the admitted ones are confirmed', { timeout: 120_000 }, async () => {
      const product = await newProduct(1_000_000);
      const buyer = await newUser();
      // Open loop: a request every 5 ms whatever the answers do, far past what order-service places.
      const RATE_PER_S = 200;
      const SECONDS = 6;
      const startedAt = Date.now();
      const calls: Promise<{ status: number; ms: number; retryAfter: string | null; code?: string }>[] = [];
      // Beside the flood, the gateway's liveness every 100 ms: what any answer of the gateway costs this client meanwhile.
      const probes: Promise<number>[] = [];
      const probing = setInterval(() => probes.push(api.get('/health/live').then((r) => r.ms)), 100);
      for (let i = 0; i < RATE_PER_S * SECONDS; i++) {
        const due = startedAt + (i * 1000) / RATE_PER_S;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        calls.push(api.post('/api/orders', { userId: buyer, items: [{ productId: product.id, quantity: 1 }] }).then((r) => ({ status: r.status, ms: r.ms, retryAfter: r.headers.get('retry-after'), code: r.body?.code })));
      }
      // Mid-flood, a call without a token is told so: admission judges only calls that may go in.
      const anonymousId = `anonymous-${randomUUID()}`;
      const anonymous = await client(system.gateways[0].url).post('/api/orders', { userId: buyer, items: [{ productId: product.id, quantity: 1 }] }, { 'X-Request-Id': anonymousId });
      clearInterval(probing);
      const answers = await Promise.all(calls);
      assert.equal(anonymous.status, 401, `a call without a token during the flood: ${anonymous.status} ${anonymous.body?.code}`);
      const livenessMs = await Promise.all(probes);
      const refused = answers.filter((a) => a.status === 503 && a.code === 'OVERLOADED');
      const refusalMs = refused.map((a) => a.ms);
      console.log(
        `# ${RATE_PER_S} orders/s for ${SECONDS} s: ${JSON.stringify(countBy(answers.map((a) => a.status)))}; 503 in p50 ${percentile(refusalMs, 50).toFixed(0)} / p90 ${percentile(refusalMs, 90).toFixed(0)} / p99 ${percentile(refusalMs, 99).toFixed(0)} / max ${Math.max(...refusalMs).toFixed(0)} ms; 201 p99 ${percentile(answers.filter((a) => a.status === 201).map((a) => a.ms), 99).toFixed(0)} ms; /health/live meanwhile p50 ${percentile(livenessMs, 50).toFixed(0)} / p90 ${percentile(livenessMs, 90).toFixed(0)} ms`,
      );
      assert.ok(refused.length > 0, 'the overload was refused, in part');
      assert.ok(answers.filter((a) => a.status === 201).length > 0, 'and orders were placed meanwhile');
      for (const a of refused) assert.ok(Number(a.retryAfter) >= 1, `Retry-After in seconds: ${a.retryAfter}`);
      // A refusal comes at once, not after the wait it refuses. The gateway decides each within
      // milliseconds (its access line counts from the request's arrival to the line itself, so
      // its time minus responseTime is the arrival, to the millisecond):
      // (Its access line has no code: the refusals are the calls its OVERLOADED warning names.)
      const requestIdOf = (line: string) => /"requestId":"([^"]+)"/.exec(line)?.[1];
      const accessLines = () =>
        system.gateways[0]
          .readLog()
          .split('\n')
          .filter((line) => line.includes('"url":"/api/orders"') && line.includes('"responseTime":'))
          .map((line) => {
            const ms = Number(/"responseTime":(\d+)/.exec(line)?.[1]);
            const answeredAt = Date.parse(/"time":"([^"]+)"/.exec(line)?.[1] ?? '');
            return { arrived: answeredAt - ms, answeredAt, ms, status: Number(/"statusCode":(\d+)/.exec(line)?.[1]), requestId: requestIdOf(line) };
          })
          .filter((call) => call.arrived >= startedAt);
      // The access line is written as each response closes, after the client has it: wait for all of them.
      await waitUntil(() => accessLines().length >= answers.length + 1, 'the gateway to log every call of the flood');
      const overloaded = new Set(system.gateways[0].readLog().split('\n').filter((line) => line.includes('"code":"OVERLOADED"')).map(requestIdOf));
      const flood = accessLines()
        .filter((call) => call.requestId !== anonymousId)
        .map((call) => ({ ...call, refused: overloaded.has(call.requestId) }));
      const refusedInGateway = flood.filter((call) => call.refused).map((call) => call.ms);
      assert.ok(refusedInGateway.length >= refused.length, `the gateway logged every refusal: ${refusedInGateway.length} of ${refused.length}`);
      console.log(`# refusals timed in the gateway: p50 ${percentile(refusedInGateway, 50)} / p99 ${percentile(refusedInGateway, 99)} / max ${Math.max(...refusedInGateway)} ms`);
      assert.ok(percentile(refusedInGateway, 99) < 250, 'the gateway refuses at once');
      // What this test's client sees is logged above and not asserted: it adds the wait for a
      // share of two cores beside the flood, the sagas it admitted, Kafka and the database, and
      // this test's own event loop, which sends the flood in bursts when it falls behind and
      // times every call of a burst from before the burst went out. Refusals took a median of
      // 54-818 ms here and 229 ms in a CI run, but 2.4-3.2 s with two busy loops beside the
      // suite, while the gateway decided each in under 90 ms from its arrival: the wait is the
      // machine's, not the refusal's. The gateway's own timing above is the product's.
      // Until the route is judged (20 answers, a queue of 256, or a call waiting past the
      // budget), an admitted order may time out: 504, or 503 KAFKA_UNAVAILABLE when the broker,
      // as busy as the rest of the box, is slow to answer the gateway's check too. From the
      // gateway's first refusal on (the moment it answered it), nothing it admits times out.
      const judgedFrom = Math.min(...flood.filter((call) => call.refused).map((call) => call.answeredAt));
      const lateTimeouts = flood.filter((call) => call.arrived > judgedFrom && !(call.status === 201 || call.refused));
      assert.deepEqual(lateTimeouts, [], `once judged, every order is placed or refused at once: no timeout (first refusal ${judgedFrom - startedAt} ms into the flood)`);

      // What timed out before the route was judged is decided, or abandoned and released, by the time order-service is idle.
      await untilOrderServiceIdle(system.apps['order-service'][0].url);
      assert.equal((await restock(product.id, 0)).status, 200, 'a zero restock queues behind every movement of the flood');
      const confirmed = (await allOrders<{ status: string }>(api, buyer)).filter((o) => o.status === 'confirmed').length;
      assert.ok(confirmed >= answers.filter((a) => a.status === 201).length);
      assert.equal((await stockOf(product.id)) + confirmed, 1_000_000, 'stock + confirmed orders = initial: nothing an abandoned order reserved stays taken');
    });
  });

  describe('faults', () => {
    it('loses and invents no stock when product-service is killed in the middle of a burst of orders', { timeout: 120_000 }, async () => {
      const product = await newProduct(50);
      const buyer = await newUser();
      const burst = Array.from({ length: 40 }, () => order([{ productId: product.id, quantity: 1 }], undefined, buyer));
      await waitUntil(() => watcher.all(RPC.PRODUCT_STOCK.pattern, (m) => (m.value as { productId?: string })?.productId === product.id).length >= 5, 'the burst to reach product.stock');
      await system.apps['product-service'][0].kill(); // SIGKILL: no goodbye to the group, work half done
      system.apps['product-service'] = [await startApp('product-service', { infra: system.infra, name: 'product-service-after-kill' })];

      const answers = await Promise.all(burst);
      const statuses = answers.map((r) => r.status);
      console.log(`# burst through a product-service kill: ${JSON.stringify(countBy(statuses))}`);
      assert.ok(statuses.every((s) => [201, 409, 504].includes(s)), `only confirmed, refused or timed out: ${JSON.stringify(countBy(statuses))}`);
      // A 504 may still be decided later, or skipped for its deadline and never exist:
      // wait until order-service has no order.create left to read or in hand.
      await untilOrderServiceIdle(system.apps['order-service'][0].url);
      const orders = await allOrders<{ id: string; status: string; items: { quantity: number }[] }>(api, buyer);
      assert.ok(orders.every((o) => o.status === 'confirmed' || o.status === 'rejected'), 'every stored order is decided');
      const confirmedIds = new Set(orders.filter((o) => o.status === 'confirmed').map((o) => o.id));
      assert.ok(answers.filter((r) => r.status === 201).every((r) => confirmedIds.has(r.body.id)), 'every 201 is a confirmed order');
      assert.equal((await restock(product.id, 0)).status, 200, 'a zero restock queues behind every movement of the burst');
      const sold = orders.filter((o) => o.status === 'confirmed').reduce((sum, o) => sum + o.items[0].quantity, 0);
      assert.equal((await stockOf(product.id)) + sold, 50, 'stock + confirmed = initial');
    });
  });

  it('keeps initial + restocks = stock + quantity in confirmed orders, for every product of the suite', async () => {
    const orders = await allOrders<{ id: string; status: string; items: { productId: string; quantity: number }[] }>(api);
    for (const o of orders.filter((o) => o.status === 'cancelled')) await settled(o.id, o.items.map((i) => i.productId).filter((id) => ledger.has(id)));
    for (const [productId, { initial, restocked }] of ledger) {
      const sold = orders.filter((o) => o.status === 'confirmed').flatMap((o) => o.items).filter((i) => i.productId === productId).reduce((s, i) => s + i.quantity, 0);
      const stock = await stockOf(productId);
      assert.ok(stock >= 0);
      assert.equal(initial + restocked, stock + sold, `product ${productId}: ${initial} + ${restocked} != ${stock} + ${sold}`);
    }
    console.log(`# invariant held for ${ledger.size} products over ${orders.length} orders; order latency over the suite: p50 ${percentile(orderLatencies, 50).toFixed(0)} ms, p99 ${percentile(orderLatencies, 99).toFixed(0)} ms (${orderLatencies.length} orders)`);
  });
});

function isRelease(m: SeenMessage, orderId: string, productId: string): boolean {
  const v = m.value as { kind?: string; orderId?: string; productId?: string };
  return v?.kind === 'release' && v.orderId === orderId && v.productId === productId;
}

function countBy(values: number[]): Record<number, number> {
  return values.reduce<Record<number, number>>((acc, v) => ((acc[v] = (acc[v] ?? 0) + 1), acc), {});
}


/** Polls an async order until it leaves pending (404 while order-service has not taken it yet). */
async function finalState(api: Client, id: string) {
  let last: any;
  await waitUntil(async () => {
    const res = await api.get(`/api/orders/${id}`);
    last = res.body;
    return res.status === 200 && res.body.status !== 'pending';
  }, `order ${id} to leave pending`);
  return last;
}
