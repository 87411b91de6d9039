import { EXAMPLE_ACCOUNTS, EXAMPLE_IDS, EVENTS, HEADERS, RPC } from '@shop/contracts';
import { waitUntil } from '@shop/stack';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { client } from './support/http';
import { TopicWatcher } from './support/kafka';
import { REPO_ROOT, RunningCli, stackCli, StackCli } from './support/stack-cli';

/** A span as Zipkin's API answers it. */
interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';
  localEndpoint: { serviceName: string };
  tags?: Record<string, string>;
}


describe('tracing and the native observability stack (npm start -- --observability)', () => {
  let stack: StackCli;
  let run: RunningCli;
  let base: string;
  let zipkin: string;
  let prometheus: string;
  /** The call the trace test made, for the topic tools to find. */
  let call: { requestId: string; traceId: string } | undefined;

  before(async () => {
    stack = await stackCli('tracing', ['--observability']);
    run = await stack.up();
    base = stack.gatewayUrl;
    zipkin = `http://127.0.0.1:${stack.ports.zipkin}`;
    prometheus = `http://127.0.0.1:${stack.ports.prometheus}`;
  });

  after(async () => {
    if (!run) return;
    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0, run.output());
    const stillThere = await fetch(`${zipkin}/health`).then(() => true, () => false);
    assert.equal(stillThere, false, 'Ctrl-C stops Zipkin with the rest');
    rmSync(stack.dataDir, { recursive: true, force: true });
  });

  it('prints where Zipkin and Prometheus are', () => {
    assert.match(run.output(), new RegExp(`Zipkin \\(traces\\)\\s+${zipkin}/zipkin/`));
    assert.match(run.output(), new RegExp(`Prometheus\\s+${prometheus}/alerts`));
  });

  it('follows one POST /api/orders as one trace: HTTP, each Kafka hop as parent and child, the saga, the database', { timeout: 120_000 }, async () => {
    const watcher = await new TopicWatcher(`127.0.0.1:${stack.ports.kafka}`).start([RPC.ORDER_CREATE.pattern, RPC.USER_GET.pattern, 'gateway.replies', EVENTS.ORDER_CREATED.topic]);
    try {
      const { email, password } = EXAMPLE_ACCOUNTS.admin;
      const admin = client(base, (await client(base).post('/api/auth/login', { email, password })).body.accessToken);
      const requestId = `trace-${Date.now()}`;
      const order = await admin.post('/api/orders', { userId: EXAMPLE_IDS.user, items: [{ productId: EXAMPLE_IDS.product, quantity: 1 }] }, { 'x-request-id': requestId });
      assert.equal(order.status, 201, JSON.stringify(order.body));

      // The spans reach Zipkin in batches: wait until every app's have arrived.
      let spans: ZipkinSpan[] = [];
      await waitUntil(
        async () => {
          const traces = (await (await fetch(`${zipkin}/api/v2/traces?annotationQuery=${encodeURIComponent(`shop.request_id=${requestId}`)}&limit=10`)).json()) as ZipkinSpan[][];
          assert.ok(traces.length <= 1, `one trace for the call, found ${traces.length}`);
          spans = traces[0] ?? [];
          // Every span the test asserts below: they reach Zipkin in separate export batches.
          const wanted = [['gateway', 'send order.create'], ['order-service', 'handle order.create'], ['order-service', 'publish order.created'], ['user-service', 'handle user.get'], ['product-service', 'handle product.stock']];
          return wanted.every(([app, name]) => spans.some((s) => s.localEndpoint.serviceName === app && s.name === name)) && spans.some((s) => s.localEndpoint.serviceName === 'order-service' && s.tags?.['db.system.name'] === 'mongodb');
        },
        'the spans of all four apps in Zipkin',
        60_000,
        500,
      );
      const traceId = spans[0].traceId;
      const byId = new Map(spans.map((s) => [s.id, s]));
      const one = (service: string, name: string) => {
        const found = spans.filter((s) => s.localEndpoint.serviceName === service && s.name === name);
        assert.ok(found.length > 0, `${service} has a span "${name}"; it has ${spans.filter((s) => s.localEndpoint.serviceName === service).map((s) => s.name).join(', ')}`);
        return found[0];
      };
      const parentOf = (span: ZipkinSpan) => (span.parentId ? byId.get(span.parentId) : undefined);

      // gateway: the HTTP server span is the root, and the RPC client span is its child.
      const root = spans.find((s) => !s.parentId)!;
      assert.equal(root.localEndpoint.serviceName, 'gateway');
      assert.equal(root.kind, 'SERVER');
      assert.equal(root.tags?.['shop.request_id'], requestId);
      const send = one('gateway', 'send order.create');
      assert.equal(send.kind, 'CLIENT');
      assert.equal(send.tags?.['shop.request_id'], requestId);
      assert.equal(send.tags?.['messaging.destination.name'], 'order.create');
      assert.equal(send.tags?.['shop.outcome'], 'ok');
      let up = parentOf(send);
      while (up && up !== root) up = parentOf(up);
      assert.equal(up, root, 'send order.create descends from the HTTP span');

      // Each Kafka hop: the handling span in the service is the child of the sending span.
      const handle = one('order-service', 'handle order.create');
      assert.equal(handle.parentId, send.id, 'handle order.create is the child of send order.create');
      assert.equal(handle.kind, 'SERVER');
      assert.equal(handle.tags?.['messaging.kafka.message.key'], order.body.id);
      assert.match(handle.tags?.['messaging.destination.partition.id'] ?? '', /^\d+$/);
      assert.equal(handle.tags?.['shop.outcome'], 'ok');
      for (const [service, pattern] of [['user-service', 'user.get'], ['product-service', 'product.stock']] as const) {
        const sent = one('order-service', `send ${pattern}`);
        const handled = one(service, `handle ${pattern}`);
        assert.equal(handled.parentId, sent.id, `handle ${pattern} in ${service} is the child of send ${pattern} in order-service`);
        let ancestor = parentOf(sent);
        while (ancestor && ancestor !== handle) ancestor = parentOf(ancestor);
        assert.equal(ancestor, handle, `the saga's send ${pattern} descends from handle order.create`);
      }
      const published = one('order-service', 'publish order.created');
      assert.equal(published.kind, 'PRODUCER');
      // The database under the handler.
      const database = spans.filter((s) => s.localEndpoint.serviceName === 'order-service' && s.tags?.['db.system.name'] === 'mongodb');
      assert.ok(database.length > 0, 'order-service has MongoDB spans');
      assert.ok(database.every((s) => { let a = parentOf(s); while (a && a !== handle) a = parentOf(a); return a === handle; }), 'its MongoDB spans descend from handle order.create');

      // The messages carry the trace: the request, the saga's calls, the replies, the event.
      const ofCall = (topic: string) => watcher.messages().filter((m) => m.topic === topic && m.headers[HEADERS.REQUEST_ID] === requestId);
      await watcher.waitFor(EVENTS.ORDER_CREATED.topic, (m) => m.key === order.body.id);
      for (const topic of [RPC.ORDER_CREATE.pattern, RPC.USER_GET.pattern, 'gateway.replies', EVENTS.ORDER_CREATED.topic]) {
        const messages = ofCall(topic);
        assert.ok(messages.length > 0, `a ${topic} message of the call`);
        for (const m of messages) assert.match(m.headers.traceparent ?? '', new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`), `${topic} carries the traceparent`);
      }

      // And the log lines of the call name the trace.
      for (const app of ['gateway', 'order-service']) {
        const lines = readFileSync(join(stack.dataDir, '..', '..', 'logs', stack.name, `${app}.log`), 'utf8')
          .split('\n')
          .filter((l) => l.startsWith('{') && l.includes(`"requestId":"${requestId}"`))
          .map((l) => JSON.parse(l) as { traceId?: string; spanId?: string; msg: string });
        assert.ok(lines.length > 0, `${app} logged the call`);
        const inSpan = lines.filter((l) => l.traceId);
        assert.ok(inSpan.length > 0 && inSpan.every((l) => l.traceId === traceId && /^[0-9a-f]{16}$/.test(l.spanId ?? '')), `${app}'s lines carry the trace id: ${JSON.stringify(lines.map((l) => [l.msg, l.traceId]))}`);
      }
      call = { requestId, traceId };
      console.log(`# one call, one trace: ${spans.length} spans from ${new Set(spans.map((s) => s.localEndpoint.serviceName)).size} apps, ${zipkin}/zipkin/traces/${traceId}`);
    } finally {
      await watcher.stop();
    }
  });

  it('npm run kafka: consumer groups with their lag, and the call’s messages found by request id with the console consumer', { timeout: 60_000 }, () => {
    assert.ok(call, 'the trace test ran first');
    const kafka = (...args: string[]) => {
      const run = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/stack/dist/kafka-tools.js'), ...args], {
        env: { ...process.env, KAFKA_BROKERS: `127.0.0.1:${stack.ports.kafka}` },
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(run.status, 0, run.stderr);
      return run.stdout;
    };
    assert.match(kafka('topics', '--list'), /^order\.create$/m);
    const groups = kafka('consumer-groups', '--describe', '--group', 'order-service-server');
    assert.match(groups, /GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG/);
    assert.match(groups, /order-service-server\s+order\.create\s+\d/);
    const consumed = kafka('console-consumer', '--topic', 'order.create', '--from-beginning', '--timeout-ms', '5000');
    const line = consumed.split('\n').find((l) => l.includes(`x-request-id:${call!.requestId}`));
    assert.ok(line, `the call's order.create message, among:\n${consumed}`);
    assert.match(line, /Partition:\d+\tOffset:\d+\t/, 'partition and offset');
    assert.match(line, new RegExp(`traceparent:00-${call!.traceId}-`), 'its headers, traceparent included');
    assert.match(line, /\t[0-9a-f]{24}\t\{"userId"/, 'its key (the order id), then its value');
  });

  it('Prometheus scrapes the four apps and has loaded the alert rules', { timeout: 60_000 }, async () => {
    type Targets = { data: { activeTargets: { health: string; scrapeUrl: string }[] } };
    await waitUntil(
      async () => {
        const targets = ((await (await fetch(`${prometheus}/api/v1/targets`)).json()) as Targets).data.activeTargets;
        return targets.length === 4 && targets.every((t) => t.health === 'up');
      },
      'the four apps up in Prometheus',
      30_000,
      500,
    );
    const rules = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as { data: { groups: { rules: { name: string; health: string }[] }[] } };
    const loaded = rules.data.groups.flatMap((g) => g.rules);
    assert.deepEqual(loaded.map((r) => r.name).sort(), ['AppDown', 'ConsumerLagHigh', 'HighErrorRate', 'SlowRequests', 'StockLow']);
  });
});
