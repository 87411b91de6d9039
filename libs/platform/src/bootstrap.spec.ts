import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { closeConnectionsOnShutdown, survivesKafkaFailovers } from './bootstrap';

describe('survivesKafkaFailovers (unhandled rejections)', () => {
  it('logs what kafkajs leaves unhandled when a broker dies, and the process goes on', (t) => {
    const exit = t.mock.method(process, 'exit', () => undefined as never);
    const logged: unknown[] = [];
    const cause = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:40155');
    survivesKafkaFailovers((error) => logged.push(error))(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 1344 }));
    assert.equal(logged.length, 1);
    assert.equal(exit.mock.callCount(), 0);
  });

  it('ends the process for any other unhandled rejection, as Node would', (t) => {
    const exit = t.mock.method(process, 'exit', () => undefined as never);
    t.mock.method(console, 'error', () => undefined);
    const logged: unknown[] = [];
    survivesKafkaFailovers((error) => logged.push(error))(new TypeError('a bug'));
    assert.deepEqual(logged, []);
    assert.deepEqual(exit.mock.calls.map((c) => c.arguments), [[1]]);
  });
});

describe('closeConnectionsOnShutdown', () => {
  it('lets the server close while a client keeps the connection of an answer that was in flight', async () => {
    const server = Fastify();
    let answering!: () => void;
    const started = new Promise<void>((resolve) => (answering = resolve));
    server.get('/slow', async () => {
      answering();
      await new Promise((resolve) => setTimeout(resolve, 200));
      return { ok: true };
    });
    closeConnectionsOnShutdown(server);
    await server.listen({ port: 0, host: '127.0.0.1' });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const answered = new Promise<number>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port: (server.server.address() as AddressInfo).port, path: '/slow', agent }, (res) => res.resume().on('end', () => resolve(res.statusCode!))).on('error', reject),
      );
      await started;
      // Without the hook the kept-alive socket idles for Fastify's keepAliveTimeout (72 s) and close() waits for it.
      const closed = server.close().then(() => 'closed');
      assert.equal(await answered, 200, 'the answer in flight is still given');
      const giveUp = new AbortController();
      const outcome = await Promise.race([closed, delay(30_000, 'still open after 30 s', { signal: giveUp.signal }).catch(() => 'aborted')]);
      giveUp.abort();
      assert.equal(outcome, 'closed');
    } finally {
      agent.destroy();
    }
  });
});
