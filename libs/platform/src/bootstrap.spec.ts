import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { survivesKafkaFailovers } from './bootstrap';

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
