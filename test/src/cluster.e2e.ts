import { allTopics } from '@shop/contracts';
import { clusterEnv, Infra, startInfra, waitUntil } from '@shop/stack';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { ADMIN, asAdmin } from './support/auth';
import { allOrders, Client } from './support/http';
import { untilOrderServiceIdle } from './support/metrics';
import { REPO_ROOT } from './support/stack-cli';
import { startSystem, System } from './support/system';

const NODES = 3;
const STOCK = 10_000;
const CLIENTS = 4;

/** Partitions led by each broker, over the apps' topics. */
async function leaders(brokers: string): Promise<{ byBroker: Map<number, number>; isr: { topic: string; partition: number; leader: number; isr: number[] }[] }> {
  const admin = new Kafka({ clientId: 'e2e-cluster', brokers: brokers.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: allTopics() });
    const isr = topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId, leader: p.leader, isr: p.isr })));
    const byBroker = new Map<number, number>();
    for (const p of isr) byBroker.set(p.leader, (byBroker.get(p.leader) ?? 0) + 1);
    return { byBroker, isr };
  } finally {
    await admin.disconnect();
  }
}

describe(`a Kafka cluster of ${NODES} nodes (replication factor 3, min.insync.replicas 2): a broker dies under load`, () => {
  let infra: Infra;
  let system: System;
  let api: Client;

  before(async () => {
    infra = await startInfra({ name: `cluster-${process.pid}`, fresh: true, useEnv: false, kafkaNodes: NODES });
    system = await startSystem({ infra, env: clusterEnv(NODES) });
    api = asAdmin(system.gateways[0].url);
  });

  after(async () => {
    await system?.stop();
    rmSync(join(REPO_ROOT, '.stack', 'data', infra.name), { recursive: true, force: true }); // its logs stay in .stack/logs
  });

  it('SIGKILL of the broker that leads the most partitions: new leaders, only 2xx or clean 503/504, stock exact, no confirmed order lost; it rejoins the ISR', { timeout: 240_000 }, async () => {
    const product = (await api.post('/api/products', { name: 'Cluster keyboard', priceCents: 1000, stock: STOCK })).body;
    assert.ok(product.id, 'a product to order');
    const answers: { status: number; body: { id?: string; status?: string } }[] = [];
    let running = true;
    let n = 0;
    const client = async () => {
      while (running) {
        const i = n++;
        const res = i % 2 === 0
          ? await api.get(`/api/products/${product.id}`)
          : await api.post('/api/orders', { items: [{ productId: product.id, quantity: 1 }] }, { 'idempotency-key': `cluster-${process.pid}-${i}` });
        answers.push({ status: res.status, body: res.body });
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, client));
    /** Kills the broker that leads the most partitions and waits for new leaders; answers who it was and how long the election took. */
    const killBusiestBroker = async () => {
      await waitUntil(() => answers.filter((a) => a.status === 201).length >= 20, 'orders under way before the broker dies', 30_000);
      const before = await leaders(infra.kafkaBrokers);
      const [id, led] = [...before.byBroker.entries()].sort((a, b) => b[1] - a[1])[0];
      const node = infra.kafkaNodes.find((n) => n.id === id)!;
      const others = infra.kafkaNodes.filter((n) => n !== node).map((n) => n.broker).join(',');
      const killedAt = Date.now();
      const answeredBefore = answers.length;
      await node.kill();
      await waitUntil(
        async () => (await leaders(others).catch(() => undefined))?.isr.every((p) => p.leader !== id && p.leader >= 0) ?? false,
        'new leaders for every partition the dead broker led',
        60_000,
        250,
      );
      const electedS = (Date.now() - killedAt) / 1000;
      try {
        await waitUntil(() => answers.slice(answeredBefore).filter((a) => a.status === 201).length >= 20, 'orders confirmed again after the election', 60_000);
      } catch (error) {
        // What each app holds, to tell a stuck consumer from a dead process.
        for (const [name, procs] of Object.entries(system.apps)) {
          const metrics = await fetch(`${procs[0].url}/metrics`).then((r) => r.text(), () => 'not answering (exited? see its log)');
          console.log(`# ${name}: ${metrics.split('\n').filter((l) => /^(rpc_server_in_flight|kafka_consumer_lag)/.test(l) && !/ 0$/.test(l)).join(' | ') || metrics.slice(0, 60)}`);
        }
        throw error;
      }
      return { node, id, led, partitions: before.isr.length, electedS };
    };
    let victim: Awaited<ReturnType<typeof killBusiestBroker>>;
    try {
      victim = await killBusiestBroker();
    } finally {
      running = false;
      await load;
    }
    const victimId = victim.id;
    const electedS = victim.electedS;

    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    console.log(`# broker ${victimId} led ${victim.led} of ${victim.partitions} partitions; new leaders after ${electedS.toFixed(1)} s; answers ${JSON.stringify(Object.fromEntries(statuses))}`);
    const unclean = answers.filter((a) => ![200, 201, 503, 504].includes(a.status));
    assert.deepEqual(unclean, [], 'every answer is 2xx or a clean 503/504');

    // Every order is decided, once: the stock says exactly how many were confirmed.
    let all: { id: string; status: string }[] = [];
    await waitUntil(
      async () => {
        all = await allOrders(api, ADMIN.id);
        return all.every((o) => o.status !== 'pending');
      },
      'every order decided',
      60_000,
      500,
    );
    // A rejected order's release the broker would not take during the election is sent
    // again until product-service confirms it: wait for that, then queue behind it.
    await untilOrderServiceIdle(system.apps['order-service'][0].url);
    assert.equal((await api.post(`/api/products/${product.id}/stock`, { delta: 0 })).status, 200, 'a zero restock queues behind every movement');
    const confirmed = new Set(all.filter((o) => o.status === 'confirmed').map((o) => o.id));
    const stock = (await api.get(`/api/products/${product.id}`)).body.stock;
    assert.equal(stock, STOCK - confirmed.size, 'stock + confirmed orders = initial stock: nothing applied twice, nothing lost');
    for (const a of answers.filter((x) => x.status === 201)) assert.ok(confirmed.has(a.body.id!), `confirmed order ${a.body.id} is stored as confirmed`);

    // Back it comes, and catches up: in every partition's ISR again.
    const restartedAt = Date.now();
    await victim.node.start();
    await waitUntil(async () => (await leaders(infra.kafkaBrokers).catch(() => undefined))?.isr.every((p) => p.isr.includes(victimId)) ?? false, `broker ${victimId} back in every ISR`, 120_000, 500);
    console.log(`# broker ${victimId} back in every ISR ${((Date.now() - restartedAt) / 1000).toFixed(1)} s after its restart`);
  });
});
