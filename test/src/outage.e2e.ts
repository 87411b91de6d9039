import { AppProcess, Infra, startApp, startInfra, waitUntil } from '@shop/stack';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, uniqueEmail } from './support/http';
import { asAdmin, PASSWORD } from './support/auth';
import { startSystem, System } from './support/system';
import { scrape, valueOf } from './support/metrics';

const TIMEOUT_MS = 2000;

describe('outage: user-service stops and comes back while the gateway keeps running', () => {
  let system: System;

  before(async () => {
    system = await startSystem({ env: { RPC_TIMEOUT_MS: String(TIMEOUT_MS) } });
  });

  after(async () => {
    await system?.stop();
  });

  it('answers 504 within the timeout + 1 s, stays ready, and recovers without a gateway restart', async () => {
    const gateway = system.gateways[0];
    const api = asAdmin(gateway.url);
    const user = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('outage'), name: 'Outage' })).body;

    await system.apps['user-service'][0].stop();

    const during = await api.get(`/api/users/${user.id}`);
    assert.equal(during.status, 504);
    assert.deepEqual(during.body, {
      statusCode: 504,
      code: 'RPC_TIMEOUT',
      message: `No answer to user.get within ${TIMEOUT_MS} ms`,
      details: { pattern: 'user.get', timeoutMs: TIMEOUT_MS },
      requestId: during.headers.get('x-request-id'),
    });
    assert.ok(during.ms < TIMEOUT_MS + 1000, `answered in ${Math.round(during.ms)} ms`);
    console.log(`# with user-service stopped: ${during.status} ${during.body.code} in ${Math.round(during.ms)} ms (timeout ${TIMEOUT_MS} ms)`);
    assert.equal((await fetch(`${gateway.url}/health/ready`)).status, 200, 'the gateway stays ready');
    assert.equal((await fetch(`${gateway.url}/health/live`)).status, 200);

    const back = await startApp('user-service', { infra: system.infra, name: 'user-service-restarted', env: { RPC_TIMEOUT_MS: String(TIMEOUT_MS) } });
    system.apps['user-service'] = [back];
    const after = await api.get(`/api/users/${user.id}`);
    assert.equal(after.status, 200);
    assert.deepEqual(after.body, user);
    assert.match(back.readLog(), /Skipped a user\.get request: its caller stopped waiting/, 'the request nobody waits for any more was not acted on');
  });

  it('goes on answering product reads from product.view while product-service is stopped; its writes wait for it', async () => {
    const gateway = system.gateways[0];
    const api = asAdmin(gateway.url);
    const product = (await api.post('/api/products', { name: 'Outage lamp', priceCents: 1500, stock: 9 })).body;
    const fromView = async () => valueOf(await scrape(gateway.url), 'product_view_reads_total', { result: 'view' });
    const before = await fromView();
    // The product's records reach this gateway's copy a moment after the create's answer.
    await waitUntil(async () => (await api.get(`/api/products/${product.id}`)).status === 200 && (await fromView()) > before, 'a product read answered from product.view', 10_000);

    await system.apps['product-service'][0].stop();
    const during = await api.get(`/api/products/${product.id}`);
    assert.equal(during.status, 200);
    assert.deepEqual(during.body, product);
    const write = await api.patch(`/api/products/${product.id}`, { priceCents: 1400 });
    assert.equal(write.status, 504, 'a write needs product-service');
    console.log(`# with product-service stopped: a product read answered ${during.status} in ${Math.round(during.ms)} ms, a write ${write.status} in ${Math.round(write.ms)} ms`);

    const back = await startApp('product-service', { infra: system.infra, name: 'product-service-restarted', env: { RPC_TIMEOUT_MS: String(TIMEOUT_MS) } });
    system.apps['product-service'] = [back];
    assert.equal((await api.patch(`/api/products/${product.id}`, { priceCents: 1300 })).status, 200);
    assert.equal((await api.get(`/api/products/${product.id}`)).body.priceCents, 1300, 'the next read sees the write');
  });
});

describe('outage: Kafka itself goes away', () => {
  const name = `kafka-outage-${process.pid}`;
  let infra: Infra;
  let apps: AppProcess[] = [];

  before(async () => {
    // Its own broker, so stopping it costs the other test files nothing.
    infra = await startInfra({ name, fresh: true, useEnv: false });
    apps.push(await startApp('user-service', { infra, name: 'user-service-kafka-outage' }));
    apps.push(await startApp('gateway', { infra, name: 'gateway-kafka-outage', env: { RPC_TIMEOUT_MS: String(TIMEOUT_MS) } }));
  });

  after(async () => {
    await Promise.all(apps.map((a) => a.kill()));
    await infra?.stop();
    rmSync(join(resolve(__dirname, '..', '..'), '.stack', 'data', name), { recursive: true, force: true }); // its logs stay
  });

  it('answers 503 KAFKA_UNAVAILABLE within the timeout + 1 s, and the gateway reports not ready', async () => {
    const gateway = apps[1];
    const api = asAdmin(gateway.url);
    const user = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('kafka-outage'), name: 'Before' })).body;
    assert.equal((await api.get(`/api/users/${user.id}`)).status, 200);

    killProcessesOf(join(resolve(__dirname, '..', '..'), '.stack', 'data', name), 'kafka.Kafka');

    const during = await api.get(`/api/users/${user.id}`);
    console.log(`# with Kafka gone: ${during.status} ${during.body.code} in ${Math.round(during.ms)} ms`);
    assert.equal(during.status, 503);
    assert.equal(during.body.code, 'KAFKA_UNAVAILABLE');
    assert.ok(during.ms < TIMEOUT_MS + 1000, `answered in ${Math.round(during.ms)} ms`);
    const ready = await fetch(`${gateway.url}/health/ready`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { details: { error: { kafka: { status: string; reason: string } } } };
    assert.equal(body.details.error.kafka.status, 'down');
    assert.match(body.details.error.kafka.reason, /broker unreachable/);
    assert.equal((await fetch(`${gateway.url}/health/live`)).status, 200, 'still alive');
  });
});

/** SIGKILLs the processes whose command line names both `dataDir` and `marker`. */
function killProcessesOf(dataDir: string, marker: string): void {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(dataDir) && cmdline.includes(marker)) {
        process.kill(Number(entry), 'SIGKILL');
        killed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  assert.equal(killed, 1, `one ${marker} process of ${dataDir}`);
}
