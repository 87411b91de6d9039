import { freePort, startApp, waitUntil } from '@shop/stack';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, client, uniqueEmail, UNKNOWN_ID } from './support/http';
import { scrape, valueOf } from './support/metrics';
import { asAdmin, PASSWORD } from './support/auth';
import { startSystem, System } from './support/system';

describe('observability: logs, metrics, health and status tell the truth', () => {
  let system: System;
  let api: Client;

  before(async () => {
    system = await startSystem();
    api = asAdmin(system.gateways[0].url);
  });

  after(async () => {
    await system?.stop();
  });

  it('finds one X-Request-Id in the JSON logs of every process an order crossed', async () => {
    const user = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('traced'), name: 'Traced' })).body;
    const product = (await api.post('/api/products', { name: 'Traced widget', priceCents: 100, stock: 5 })).body;
    const requestId = `trace-${randomUUID()}`;
    const res = await api.post('/api/orders', { userId: user.id, items: [{ productId: product.id, quantity: 1 }] }, { 'X-Request-Id': requestId });
    assert.equal(res.status, 201);

    const processes = [system.gateways[0], system.apps['user-service'][0], system.apps['product-service'][0], system.apps['order-service'][0]];
    for (const p of processes) {
      // The access line is written as the response ends: wait for it rather than race it.
      await waitUntil(() => p.readLog().includes(`"requestId":"${requestId}"`), `${p.name} to log ${requestId}`);
      const lines = p.readLog().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      const mine = lines.filter((l) => l.requestId === requestId);
      assert.ok(mine.length > 0, `${p.name} logged the request id`);
      assert.ok(mine.every((l) => l.service === p.app && typeof l.time === 'string' && typeof l.msg === 'string'), `${p.name}: service, time and msg on every line`);
      console.log(`# ${p.name}:\n${mine.map((l) => `#   ${String(l.msg)}`).join('\n')}`);
    }
    await waitUntil(() => system.apps['product-service'][0].readLog().includes('"msg":"Handled product.stock'), 'the handled line');
    const handled = system.apps['product-service'][0].readLog().split('\n').filter((l) => l.includes(requestId) && l.includes('"msg":"Handled product.stock'));
    assert.equal(handled.length, 1, 'one access line per handled Kafka message, with its duration and outcome');
    const line = JSON.parse(handled[0]);
    assert.equal(line.outcome, 'ok');
    assert.equal(typeof line.durationMs, 'number');
  });

  it('moves the HTTP histogram, the per-pattern RPC histograms and the outcome counters by exactly the calls made', async () => {
    const user = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('metered'), name: 'Metered' })).body;
    const gatewayUrl = system.gateways[0].url;
    const usersUrl = system.apps['user-service'][0].url;
    const [gwBefore, usBefore] = await Promise.all([scrape(gatewayUrl), scrape(usersUrl)]);
    for (let i = 0; i < 3; i++) assert.equal((await api.get(`/api/users/${user.id}`)).status, 200);
    assert.equal((await api.get(`/api/users/${UNKNOWN_ID}`)).status, 404);
    const [gwAfter, usAfter] = await Promise.all([scrape(gatewayUrl), scrape(usersUrl)]);
    const delta = (before: typeof gwBefore, after: typeof gwBefore, name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);

    const route = { method: 'GET', route: '/api/users/:id' };
    assert.equal(delta(gwBefore, gwAfter, 'http_request_duration_seconds_count', { ...route, status: '200' }), 3);
    assert.equal(delta(gwBefore, gwAfter, 'http_request_duration_seconds_count', { ...route, status: '404' }), 1);
    assert.equal(delta(gwBefore, gwAfter, 'http_request_duration_seconds_bucket', { ...route, status: '200', le: '+Inf' }), 3);
    assert.equal(delta(gwBefore, gwAfter, 'rpc_client_duration_seconds_count', { pattern: 'user.get', outcome: 'ok' }), 3);
    assert.equal(delta(gwBefore, gwAfter, 'rpc_client_duration_seconds_count', { pattern: 'user.get', outcome: 'client_error' }), 1);
    assert.equal(delta(usBefore, usAfter, 'rpc_server_duration_seconds_count', { pattern: 'user.get', outcome: 'ok' }), 3);
    assert.equal(delta(usBefore, usAfter, 'rpc_server_duration_seconds_count', { pattern: 'user.get', outcome: 'client_error' }), 1);
    assert.equal(delta(usBefore, usAfter, 'kafka_messages_consumed_total', { topic: 'user.get' }), 4);
    assert.ok(gwAfter.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds'), 'default Node metrics are exported');
    assert.ok(gwAfter.every((s) => s.labels.service === 'gateway'), 'every series names its service');
    assert.ok(usAfter.some((s) => s.name === 'kafka_consumer_lag' && s.labels.group === 'user-service-server' && s.labels.topic === 'user.get'), 'consumer lag per group, topic and partition');
  });

  it("lists in each app's /metrics only the metrics that app can move", async () => {
    const own: Record<string, string[]> = {
      gateway: ['product_view_products', 'product_view_reads_total'],
      'product-service': ['product_stock_low_events_total'],
      'order-service': ['order_releases_pending', 'orders_total'],
      'user-service': [],
    };
    const everyOwn = Object.values(own).flat();
    const apps = [system.gateways[0], system.apps['user-service'][0], system.apps['product-service'][0], system.apps['order-service'][0]];
    for (const app of apps) {
      // From the # TYPE lines: a metric with labels has no sample until it first moves.
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const names = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
      for (const name of own[app.app]) assert.ok(names.has(name), `${app.name} exports ${name}`);
      const foreign = everyOwn.filter((name) => !own[app.app].includes(name) && names.has(name));
      assert.deepEqual(foreign, [], `${app.name} exports no other app's metric`);
      assert.ok(names.has('http_requests_in_flight'), `${app.name} still exports the metrics every app has`);
    }
  });

  it('reports a service whose database cannot be reached as not ready, with the reason', async () => {
    const deadDatabase = `mongodb://127.0.0.1:${await freePort()}`;
    const orphan = await startApp('user-service', {
      infra: { kafkaBrokers: system.infra.kafkaBrokers, mongoUri: deadDatabase },
      name: 'user-service-no-db',
      waitFor: 'live',
    });
    try {
      const res = await fetch(`${orphan.url}/health/ready`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { code: string; details: { error: Record<string, { status: string }> } };
      assert.equal(body.code, 'SERVICE_UNAVAILABLE');
      assert.equal(body.details.error.mongodb.status, 'down');
      assert.equal((await fetch(`${orphan.url}/health/live`)).status, 200, 'alive, just not ready');
    } finally {
      await orphan.stop();
    }
  });

  it('shows a stopped service as timed out in /api/status while the others answer', async () => {
    const up = await api.get('/api/status');
    assert.equal(up.status, 200);
    assert.equal(up.body.status, 'ok', JSON.stringify(up.body));
    assert.deepEqual(Object.keys(up.body.services).sort(), ['order-service', 'product-service', 'user-service']);
    for (const s of Object.values(up.body.services) as { status: string; roundTripMs: number }[]) {
      assert.equal(s.status, 'up');
      assert.ok(s.roundTripMs >= 0);
    }

    await system.apps['order-service'][0].stop();
    const degraded = await api.get('/api/status');
    assert.equal(degraded.status, 200);
    assert.equal(degraded.body.status, 'degraded');
    assert.equal(degraded.body.services['order-service'].status, 'timeout');
    assert.equal(degraded.body.services['order-service'].code, 'RPC_TIMEOUT');
    assert.equal(degraded.body.services['user-service'].status, 'up');
    assert.equal(degraded.body.services['product-service'].status, 'up');
  });
});

