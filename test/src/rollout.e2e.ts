import { AppName, AppProcess, waitUntil } from '@shop/stack';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { asAdmin, PASSWORD } from './support/auth';
import { allOrders, Client, JsonResponse, uniqueEmail } from './support/http';
import { waitForStableGroup } from './support/kafka';
import { untilOrderServiceIdle } from './support/metrics';
import { startSystem, System } from './support/system';

const STOCK = 1_000_000;
const CLIENTS = 3;
/** The apps' defaults, which the system runs with. */
const SESSION_TIMEOUT_MS = 10_000;
const RPC_TIMEOUT_MS = 5000;
const SERVICES = ['user-service', 'product-service', 'order-service'] as const;
/** The consumer groups an app's replicas share: the requests it answers, the replies it waits for. */
const GROUPS: Record<AppName, string[]> = {
  'user-service': ['user-service-server'],
  'product-service': ['product-service-server'],
  'order-service': ['order-service-server', 'order-service-client'],
  gateway: ['gateway-client'],
};

interface Answer {
  what: string;
  status: number;
  startedAt: number;
  gateway: string;
  id?: string;
  error?: string;
}

/**
 * Clients that call the gateways in turn, each sending its next request when the last is
 * answered: product reads, user reads, orders, and orders placed with Prefer:
 * respond-async. A gateway taken out of `gateways` gets no new request (as a load
 * balancer stops sending to a pod that is terminating); its calls in flight go on.
 */
class SteadyLoad {
  readonly answers: Answer[] = [];
  readonly gateways: { url: string; api: Client }[];
  private running = true;
  private n = 0;
  private readonly done: Promise<void[]>;

  constructor(
    gateways: AppProcess[],
    private readonly ids: { product: string; user: string },
  ) {
    this.gateways = gateways.map((g) => ({ url: g.url, api: asAdmin(g.url) }));
    this.done = Promise.all(Array.from({ length: CLIENTS }, () => this.client()));
  }

  orders(): Answer[] {
    return this.answers.filter((a) => a.what.startsWith('order'));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }

  private async client(): Promise<void> {
    while (this.running) {
      const i = this.n++;
      const { url, api } = this.gateways[i % this.gateways.length];
      const startedAt = Date.now();
      const key = { 'idempotency-key': `rollout-${process.pid}-${i}` };
      const order = { userId: this.ids.user, items: [{ productId: this.ids.product, quantity: 1 }] };
      const calls: Array<[string, () => Promise<JsonResponse<{ id?: string }>>]> = [
        ['product read', () => api.get(`/api/products/${this.ids.product}`)],
        ['user read', () => api.get(`/api/users/${this.ids.user}`)],
        ['order', () => api.post('/api/orders', order, key)],
        ['product read', () => api.get(`/api/products/${this.ids.product}`)],
        ['order (async)', () => api.post('/api/orders', order, { ...key, prefer: 'respond-async' })],
      ];
      const [what, call] = calls[i % calls.length];
      try {
        const res = await call();
        this.answers.push({ what, status: res.status, startedAt, gateway: url, id: res.body?.id });
      } catch (error) {
        this.answers.push({ what, status: 0, startedAt, gateway: url, error: String((error as Error).cause ?? error) });
      }
    }
  }
}

const countBy = (answers: Answer[]) => answers.reduce<Record<string, number>>((acc, a) => ((acc[`${a.what} ${a.status}`] = (acc[`${a.what} ${a.status}`] ?? 0) + 1), acc), {});
const ok = (a: Answer) => [200, 201, 202].includes(a.status);

describe('replicas that come and go: two of every app under steady load', () => {
  let system: System;
  let load: SteadyLoad;
  const ids = { product: '', user: '' };

  before(async () => {
    system = await startSystem({ replicas: { gateway: 2, 'user-service': 2, 'product-service': 2, 'order-service': 2 } });
    for (const [app, groups] of Object.entries(GROUPS)) for (const group of groups) await waitForStableGroup(system.infra.kafkaBrokers, group, system.apps[app].length);
    const admin = asAdmin(system.gateways[0].url);
    ids.product = (await admin.post('/api/products', { name: 'Rollout lamp', priceCents: 500, stock: STOCK })).body.id;
    ids.user = (await admin.post('/api/users', { email: uniqueEmail('rollout'), name: 'Rollout buyer', password: PASSWORD })).body.id;
    assert.ok(ids.product && ids.user, 'a product and a buyer');
    load = new SteadyLoad(system.gateways, ids);
  });

  after(async () => {
    await load?.stop();
    await system?.stop();
  });

  it('a rolling restart (a new replica of each app, then SIGTERM to an old one, one app after the other) fails no request', { timeout: 240_000 }, async () => {
    await waitUntil(() => load.orders().filter(ok).length >= 10, 'orders under way', 30_000);
    for (const app of [...SERVICES, 'gateway'] as const) {
      const [old] = system.apps[app];
      const fresh = await system.startReplica(app, `${app}-next`);
      for (const group of GROUPS[app]) await waitForStableGroup(system.infra.kafkaBrokers, group, 3);
      if (app === 'gateway') {
        load.gateways.push({ url: fresh.url, api: asAdmin(fresh.url) });
        load.gateways.splice(load.gateways.findIndex((g) => g.url === old.url), 1);
      }
      const answered = load.answers.length;
      const stopping = Date.now();
      await old.stop();
      const stopMs = Date.now() - stopping;
      assert.equal(old.exitReason(), 'killed by SIGTERM', `${old.name} ended by itself on SIGTERM (not SIGKILLed after the grace period): see its log`);
      system.apps[app] = system.apps[app].filter((p) => p !== old);
      for (const group of GROUPS[app]) await waitForStableGroup(system.infra.kafkaBrokers, group, 2);
      await waitUntil(() => load.answers.length >= answered + 20, `requests answered after ${old.name} left`, 30_000);
      console.log(`# rolling: ${old.name} stopped in ${stopMs} ms, replaced by ${fresh.name}`);
    }
    const failed = load.answers.filter((a) => !ok(a));
    console.log(`# rolling restart of 4 apps x 2 replicas: ${load.answers.length} answers ${JSON.stringify(countBy(load.answers))}`);
    assert.deepEqual(failed, [], 'no request failed during the rolling restart');
  });

  it(`SIGKILL of one replica of each service: failures only until the session timeout (${SESSION_TIMEOUT_MS / 1000} s); every order decided, none twice, stock exact`, { timeout: 240_000 }, async () => {
    const answered = load.answers.length;
    const victims = SERVICES.map((app) => system.apps[app][0]);
    const killedAt = Date.now();
    await Promise.all(victims.map((p) => p.kill()));
    for (const app of SERVICES) system.apps[app] = system.apps[app].filter((p) => !victims.includes(p));
    for (const app of SERVICES) for (const group of GROUPS[app]) await waitForStableGroup(system.infra.kafkaBrokers, group, 1, 60_000);
    const rebalancedMs = Date.now() - killedAt;
    const since = () => load.answers.slice(answered);
    await waitUntil(() => since().filter((a) => a.startedAt > killedAt + rebalancedMs && ok(a) && a.what.startsWith('order')).length >= 10, 'orders confirmed again after the rebalance', 60_000);
    await load.stop();

    const admin = load.gateways[0].api; // the first gateway was replaced in the rolling restart
    const after = since();
    const failed = after.filter((a) => !ok(a));
    console.log(`# SIGKILL of ${victims.map((v) => v.name).join(', ')}: groups rebalanced after ${(rebalancedMs / 1000).toFixed(1)} s; ${after.length} answers since, ${failed.length} failed: ${JSON.stringify(countBy(failed))}`);
    // The partitions moved when the group had waited out the session timeout and the
    // survivors had rejoined (each after the batch it had in hand): rebalancedMs.
    const movedMs = Math.max(SESSION_TIMEOUT_MS, rebalancedMs);
    for (const a of failed) {
      assert.ok([503, 504].includes(a.status), `a failure is a clean 503/504, not ${a.status} ${a.error ?? ''}`);
      assert.ok(a.startedAt < killedAt + movedMs + 1000, `a request started ${a.startedAt - killedAt} ms after the kill failed, the partitions moved after ${movedMs} ms: only those waiting for them may`);
    }
    assert.ok(since().filter((a) => a.startedAt > killedAt + movedMs + RPC_TIMEOUT_MS).every(ok), 'once the partitions moved, every request answers');

    // Every order is decided, once: what the killed order-service held is finished by the other.
    await untilOrderServiceIdle(system.apps['order-service'][0].url);
    let stored: { id: string; status: string; items: { quantity: number }[] }[] = [];
    await waitUntil(async () => {
      stored = await allOrders(admin, ids.user);
      return stored.every((o) => o.status !== 'pending');
    }, 'every stored order decided', 60_000, 500);
    const byId = new Map(stored.map((o) => [o.id, o]));
    for (const a of load.orders().filter(ok)) assert.ok(byId.has(a.id!), `answered order ${a.id} (${a.what} ${a.status}) is stored`);
    for (const a of load.orders().filter((x) => x.status === 201)) assert.equal(byId.get(a.id!)!.status, 'confirmed', `order ${a.id} answered 201 is confirmed`);
    const sold = stored.filter((o) => o.status === 'confirmed').reduce((sum, o) => sum + o.items[0].quantity, 0);
    assert.equal((await admin.post(`/api/products/${ids.product}/stock`, { delta: 0 })).status, 200, 'a zero restock queues behind every movement');
    const stock = (await admin.get(`/api/products/${ids.product}`)).body.stock;
    assert.equal(stock + sold, STOCK, `stock ${stock} + ${sold} confirmed = ${STOCK}: nothing reserved twice, nothing lost`);
  });
});
