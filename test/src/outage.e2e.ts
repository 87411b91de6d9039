import { startApp } from '@shop/stack';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { client, uniqueEmail } from './support/http';
import { startSystem, System } from './support/system';

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
    const api = client(gateway.url);
    const user = (await api.post('/api/users', { email: uniqueEmail('outage'), name: 'Outage' })).body;

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
    assert.equal((await fetch(`${gateway.url}/health/ready`)).status, 200, 'the gateway stays ready');
    assert.equal((await fetch(`${gateway.url}/health/live`)).status, 200);

    const back = await startApp('user-service', { infra: system.infra, name: 'user-service-restarted', env: { RPC_TIMEOUT_MS: String(TIMEOUT_MS) } });
    system.apps['user-service'] = [back];
    const after = await api.get(`/api/users/${user.id}`);
    assert.equal(after.status, 200);
    assert.deepEqual(after.body, user);
    assert.match(back.readLog(), /Skipped a user\.get request: its caller stopped waiting/, 'the request nobody waits for any more was not acted on');
  });
});
