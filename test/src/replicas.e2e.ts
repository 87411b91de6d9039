import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, uniqueEmail } from './support/http';
import { waitForStableGroup } from './support/kafka';
import { asAdmin, PASSWORD } from './support/auth';
import { startSystem, System } from './support/system';
import { scrape, valueOf } from './support/metrics';
import { Partitioners } from 'kafkajs';

const partitioner = Partitioners.DefaultPartitioner();
/** The partition of 3 that the apps' producers pick for a key (kafkajs' default partitioner, murmur2). */
const partitionOf = (key: string) => partitioner({ topic: 'product.get', partitionMetadata: [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] })), message: { key, value: null } });

/**
 * Creates hash a password (about 0.1 s of CPU each, by design), and the replica that owns 2
 * of the 3 partitions hashes two thirds of them. Reads go 8 per user.
 */
const REQUESTS = 40;
/**
 * What this file proves is routing over replicas, not how fast 2 shared cores hash 40
 * passwords beside 8 other processes: the slowest create took 2.5 s here, and past the
 * default 5 s RPC timeout in a CI run on a busier machine. Its calls get 15 s, and admission
 * refuses only a call that would outlast them (its burst of 160 reads per gateway at once
 * takes up to 3 s, past the default budget; orders.e2e tests admission).
 */
const PATIENCE_MS = '15000';
const READS_PER_USER = 8;

describe('replicas: two gateways, two user-services and two product-services on one broker', () => {
  let system: System;

  before(async () => {
    system = await startSystem({ replicas: { gateway: 2, 'user-service': 2, 'product-service': 2 }, env: { RPC_TIMEOUT_MS: PATIENCE_MS, ADMISSION_MAX_WAIT_MS: PATIENCE_MS } });
    // Both replicas of each app share one group; wait until the partitions are split.
    await waitForStableGroup(system.infra.kafkaBrokers, 'gateway-client', 2);
    await waitForStableGroup(system.infra.kafkaBrokers, 'user-service-server', 2);
    await waitForStableGroup(system.infra.kafkaBrokers, 'product-service-server', 2);
  });

  after(async () => {
    await system?.stop();
  });

  it(`answers ${REQUESTS} concurrent creates and ${REQUESTS * READS_PER_USER} concurrent reads over both gateways, each with its own result`, async () => {
    const [a, b] = system.gateways.map((g) => asAdmin(g.url));
    const emails = Array.from({ length: REQUESTS }, (_, i) => uniqueEmail(`replica${i}`));
    const created = await Promise.all(emails.map((email, i) => (i % 2 ? a : b).post('/api/users', { password: PASSWORD, email, name: `Replica ${i}` })));
    assert.deepEqual(created.map((r) => r.status), emails.map(() => 201), `every create answered 201, none timed out: ${JSON.stringify(created.filter((r) => r.status !== 201).map((r) => [r.status, r.body?.code, Math.round(r.ms)]))}`);
    assert.deepEqual(created.map((r) => r.body.email), emails, 'every create answered with its own user');

    // Read each user, over and over, through both gateways.
    const wanted = Array.from({ length: READS_PER_USER }, () => created).flat();
    const reads = await Promise.all(wanted.map((r, i) => (i % 2 ? b : a).get(`/api/users/${r.body.id}`)));
    assert.deepEqual(reads.map((r) => r.status), wanted.map(() => 200), `every read answered 200: ${JSON.stringify(reads.filter((r) => r.status !== 200).map((r) => [r.status, r.body?.code, Math.round(r.ms)]))}`);
    assert.deepEqual(reads.map((r) => r.body), wanted.map((r) => r.body));

    const handledBy = system.apps['user-service'].map((p) => (p.readLog().match(/"msg":"Created user /g) ?? []).length);
    assert.equal(handledBy.reduce((x, y) => x + y, 0), REQUESTS, `creates per replica: ${handledBy.join(' + ')}`);
    assert.ok(handledBy.every((n) => n > 0), `both user-service replicas took part: ${handledBy.join(' + ')}`);
    const ms = [...created, ...reads].map((r) => r.ms).sort((x, y) => x - y);
    console.log(`# replicas: ${REQUESTS} creates + ${REQUESTS * READS_PER_USER} reads over 2 gateways, creates per user-service replica ${handledBy.join(' + ')}, slowest answer ${Math.round(ms[ms.length - 1])} ms`);
  });

  it('reads every product write back at once, whichever gateway and product-service replica handle the calls (read-your-writes)', async () => {
    const [a, b] = system.gateways.map((g) => asAdmin(g.url));
    const user = await a.post('/api/users', { password: PASSWORD, email: uniqueEmail('reader'), name: 'Reader' });
    // Products on partition 1 and on partition 0 or 2 of the 3: with two replicas, each owns one of those sets.
    const products: { status: number; body: { id: string; name: string } }[] = [];
    for (let i = 0; i < 40 && !(products.some((p) => partitionOf(p.body.id) === 1) && products.some((p) => partitionOf(p.body.id) !== 1)); i++) {
      products.push(await a.post('/api/products', { name: `Lamp ${i}`, priceCents: 1000 + i, stock: 50 }));
    }
    assert.deepEqual(products.map((p) => p.status), products.map(() => 201));
    for (const { body: product } of products) {
      assert.equal((await b.get(`/api/products/${product.id}`)).body.stock, 50); // the owner now holds it in memory
      for (let sold = 1; sold <= 3; sold++) {
        const order = await a.post('/api/orders', { userId: user.body.id, items: [{ productId: product.id, quantity: 1 }] });
        assert.equal(order.status, 201, JSON.stringify(order.body));
        assert.equal((await b.get(`/api/products/${product.id}`)).body.stock, 50 - sold, 'an order is seen by the next read');
      }
      assert.equal((await a.patch(`/api/products/${product.id}`, { name: `${product.name} (renamed)` })).status, 200);
      assert.equal((await b.get(`/api/products/${product.id}`)).body.name, `${product.name} (renamed)`, 'a catalog edit is seen by the next read');
      assert.equal((await b.post(`/api/products/${product.id}/stock`, { delta: 10 })).body.stock, 57);
      assert.equal((await a.get(`/api/products/${product.id}`)).body.stock, 57, 'a restock is seen by the next read');
      assert.equal((await a.delete(`/api/products/${product.id}`)).status, 204);
      assert.equal((await b.get(`/api/products/${product.id}`)).status, 404, 'a delete is seen by the next read');
    }
    // Reads the gateway's copy of product.view could answer never reach product-service; the
    // rest (a product just created, the deleted one) do, each at the replica that owns it.
    const fromView = await Promise.all(system.gateways.map(async (g) => valueOf(await scrape(g.url), 'product_view_reads_total', { result: 'view' })));
    assert.ok(fromView.every((n) => n > 0), `both gateways answered reads from product.view: ${fromView.join(' + ')}`);
    const reads = system.apps['product-service'].map((p) => (p.readLog().match(/"msg":"Handled product\.get /g) ?? []).length);
    assert.ok(reads.every((n) => n > 0), `both product-service replicas answered the reads the view could not, each for the products it owns: ${reads.join(' + ')}`);
    console.log(`# replicas: product reads answered from product.view per gateway ${fromView.join(' + ')}, by product-service per replica ${reads.join(' + ')}`);
  });
});
