import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaSettings } from './kafka.settings';
import { ShopKafkaServer } from './shop-kafka.server';

const settings = {
  app: 'user-service',
  instance: 'user-service-1',
  brokers: ['127.0.0.1:9'],
  partitions: 1,
  replyTopic: 'user-service.replies',
  acks: -1,
  replicationFactor: 1,
  minInsyncReplicas: 1,
  fetchMaxWaitMs: 100,
  sessionTimeoutMs: 10_000,
  readConcurrency: 8,
  writeConcurrency: 8,
  rpcTimeoutMs: 5000,
} as KafkaSettings;

describe('ShopKafkaServer.close', () => {
  it('keeps the producer until the replies NestJS sends on later ticks are sent', async () => {
    const server = new ShopKafkaServer(settings);
    const events: string[] = [];
    const producer = {
      send: (record: { messages: unknown[] }) => {
        events.push(`send ${record.messages.length}`);
        return new Promise((resolve) => setTimeout(resolve, 20));
      },
      disconnect: async () => void events.push('producer disconnected'),
    };
    Object.assign(server, { producer, consumer: { disconnect: async () => void events.push('consumer disconnected') } });
    const reply = (response: unknown) => server.sendMessage({ id: 'c1', response }, 'user-service.replies', '0', 'c1', undefined as never);
    // As NestJS does it: the answer on a later tick than the handler settled, then the end-of-stream marker after it.
    process.nextTick(() => void reply({ id: 'u1' }).then(() => reply(undefined)));
    await server.close();
    // (NestJS's own close disconnects the consumer once more, harmlessly.)
    assert.deepEqual(events, ['consumer disconnected', 'send 1', 'send 1', 'consumer disconnected', 'producer disconnected']);
  });
});
