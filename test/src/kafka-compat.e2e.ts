import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { useInfra, InfraRef } from './support/system';

/**
 * Evidence that kafkajs 2.2.4 (what @nestjs/microservices drives) works against the
 * pinned broker: admin createTopics, keyed produce with acks=all, a consumer group of
 * two splitting partitions, committed offsets.
 */
describe('kafkajs 2.2.4 against the pinned Apache Kafka broker', () => {
  let infra: InfraRef;
  let kafka: Kafka;

  before(async () => {
    infra = await useInfra();
    kafka = new Kafka({ clientId: 'compat', brokers: infra.kafkaBrokers.split(','), logLevel: logLevel.NOTHING });
  });

  after(async () => {
    await infra?.stop();
  });

  it('creates topics, produces keyed messages, and a two-member group consumes each exactly once in key order', async () => {
    const topic = `compat-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true }), true);
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true }), false, 'creating it again is a no-op');
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    assert.equal(meta.partitions.length, 4);

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const messages = Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 10}`, value: JSON.stringify({ i }) }));
    await producer.send({ topic, acks: -1, messages });
    await producer.disconnect();

    const groupId = `compat-group-${randomUUID()}`;
    const seen: { key: string; i: number; member: number }[] = [];
    const consumers = [0, 1].map(() => kafka.consumer({ groupId, maxWaitTimeInMs: 100 }));
    let done!: () => void;
    const allSeen = new Promise<void>((resolve) => (done = resolve));
    await Promise.all(
      consumers.map(async (consumer, member) => {
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ message }) => {
            seen.push({ key: message.key!.toString(), i: (JSON.parse(message.value!.toString()) as { i: number }).i, member });
            if (seen.length === messages.length) done();
          },
        });
      }),
    );
    await allSeen;
    const { groups } = await admin.describeGroups([groupId]);
    const committed = await waitForCommitted(admin, groupId, topic, messages.length);
    await Promise.all(consumers.map((c) => c.disconnect()));

    assert.equal(seen.length, 200);
    assert.deepEqual([...new Set(seen.map((s) => s.i))].length, 200, 'each message once');
    for (let k = 0; k < 10; k++) {
      const order = seen.filter((s) => s.key === `k${k}`).map((s) => s.i);
      assert.deepEqual(order, [...order].sort((x, y) => x - y), `key k${k} kept its order`);
      assert.equal(new Set(seen.filter((s) => s.key === `k${k}`).map((s) => s.member)).size, 1, `key k${k} went to one member`);
    }
    assert.equal(groups[0].protocolType, 'consumer');

    assert.equal(committed, 200, 'the group committed every offset');
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });
});

/** Auto-commit runs after each batch: wait until the group's offsets cover `expected`. */
async function waitForCommitted(admin: Admin, groupId: string, topic: string, expected: number, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    if (committed >= expected || Date.now() - started > timeoutMs) return committed;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
