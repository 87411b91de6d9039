import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { installAccessLog } from './access-log';

describe('installAccessLog', () => {
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let server: FastifyInstance;
  let base: string;
  let abandon!: () => void;
  let entered!: () => void;

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        waiters.splice(0).forEach((wake) => wake());
        done();
      },
    });
    server = Fastify({ genReqId: () => 'req-1' });
    installAccessLog(server, pino({ base: undefined, timestamp: false }, sink));
    server.get('/api/things/:id', async () => ({ ok: true }));
    server.get('/health/live', async () => ({ status: 'ok' }));
    server.get('/held', (_request, reply) => {
      // 'close' trails 'finish' by 30 ms, as it may on a busy process: the line counts to itself, not to 'finish'.
      reply.raw.once('finish', () => {
        const until = Date.now() + 30;
        while (Date.now() < until);
      });
      return new Promise((resolve) => setTimeout(() => resolve({ held: true }), 40));
    });
    server.get('/slow', () => {
      entered();
      return new Promise((resolve) => (abandon = () => resolve({ late: true })));
    });
    await server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  });

  after(() => server.close());

  const nextLine = (count: number) => new Promise<void>((resolve) => (lines.length >= count ? resolve() : waiters.push(() => lines.length >= count && resolve())));

  it('writes one line per call: method, URL, status, milliseconds and request id, and nothing of the headers', async () => {
    lines.length = 0;
    await fetch(`${base}/api/things/42?x=1`, { headers: { authorization: 'Bearer secret' } });
    await fetch(`${base}/nowhere`);
    await nextLine(2);
    const [answered, unmatched] = lines;
    assert.deepEqual({ ...answered, responseTime: typeof answered.responseTime }, {
      level: 30,
      req: { method: 'GET', url: '/api/things/42?x=1' },
      res: { statusCode: 200 },
      responseTime: 'number',
      requestId: 'req-1',
      msg: `GET /api/things/42?x=1 answered 200 in ${answered.responseTime} ms`,
    });
    assert.ok(Number.isInteger(answered.responseTime));
    assert.deepEqual(unmatched.res, { statusCode: 404 });
    assert.doesNotMatch(JSON.stringify(lines), /secret/);
  });

  it('counts the milliseconds from the arrival of the request to the line', async () => {
    lines.length = 0;
    const sentAt = Date.now();
    await fetch(`${base}/held`); // answered 40 ms after it arrived, closed 30 ms after that
    await nextLine(1);
    const waitedMs = Date.now() - sentAt;
    // (A timer may fire a millisecond or two early by Date.now(): it counts from the event loop's cached time.)
    assert.ok(Number(lines[0].responseTime) >= 68 && Number(lines[0].responseTime) <= waitedMs, `${lines[0].responseTime} ms: from 70 (the handler's hold and the late 'close') to ${waitedMs} (the client's wait, line included)`);
  });

  it('keeps health and metrics out', async () => {
    lines.length = 0;
    await fetch(`${base}/health/live`);
    await fetch(`${base}/api/things/1`);
    await nextLine(1);
    assert.deepEqual(lines.map((l) => (l.req as { url: string }).url), ['/api/things/1']);
  });

  it('says so when the client left before the answer', async () => {
    lines.length = 0;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const request = http.get(`${base}/slow`);
    request.on('error', () => undefined);
    await inHandler;
    request.destroy();
    await nextLine(1);
    abandon();
    assert.equal(lines[0].aborted, true);
    assert.equal(lines[0].res, undefined, 'no status: none was sent');
    assert.match(String(lines[0].msg), /^GET \/slow abandoned by its client after \d+ ms$/);
  });
});
