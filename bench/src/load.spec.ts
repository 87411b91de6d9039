import assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { closedLoop, openLoop } from './load';

/** A server that answers every request after reading its body, and remembers what it saw. */
describe('load generators against a local server', () => {
  const seen: string[] = [];
  let url = '';
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      seen.push(`${req.method} content-length=${req.headers['content-length'] ?? 'none'} body=${bytes}`);
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(req.url === '/degraded' ? '{"status":"degraded"}' : '{"status":"ok"}');
    });
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve())));
  before(() => (url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a GET after a POST without the POST’s Content-Length (it would wait for a body forever)', async () => {
    let i = 0;
    await closedLoop(url, () => (i++ % 2 ? { method: 'GET', path: '/x' } : { method: 'POST', path: '/y', body: '{"a":1}' }), 2, 0.3);
    const run = await closedLoop(url, () => ({ method: 'GET', path: '/x' }), 2, 0.3);
    assert.ok(run.latenciesMs.length > 10);
    assert.deepEqual([...new Set(seen.filter((line) => line.startsWith('GET')))], ['GET content-length=none body=0']);
  });

  it('counts answers by status and a failing body check as degraded', async () => {
    const missing = await closedLoop(url, () => ({ method: 'GET', path: '/missing' }), 1, 0.2);
    assert.deepEqual(Object.keys(missing.statuses), ['404']);
    const degraded = await closedLoop(url, () => ({ method: 'GET', path: '/degraded' }), 1, 0.2, (body) => body.includes('"status":"ok"'));
    assert.deepEqual(Object.keys(degraded.statuses), ['degraded']);
    assert.equal(degraded.statuses.degraded, degraded.latenciesMs.length);
  });

  it('starts an open loop’s requests at the asked rate, whatever the answers do', async () => {
    const run = await openLoop(url, () => ({ method: 'POST', path: '/y', body: '{}' }), 200, 1);
    assert.equal(run.latenciesMs.length, 200);
    assert.deepEqual(run.statuses, { 200: 200 });
    assert.ok(run.elapsedS >= 0.99 && run.elapsedS < 1.5, `took ${run.elapsedS} s`);
  });
});
