import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Producer, ProducerRecord, RecordMetadata } from 'kafkajs';
import { lostSequence, renewingSends } from './renewing-producer';

/** kafkajs' error for the broker's answer 45, as the retrier hands it on. */
const outOfOrder = () => Object.assign(new Error('The broker received an out of order sequence number'), { name: 'KafkaJSProtocolError', type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false });
const quietLog = { warn: () => undefined, error: () => undefined } as never;
const record: ProducerRecord = { topic: 'product.stock', messages: [{ value: 'x' }] };

/** Producers that answer sends until told their sequence numbers are lost; `failConnect` lists producers (by number) whose connect fails. */
function fakes(failConnect: number[] = []) {
  const made: { id: number; connected: boolean; broken: boolean; sent: string[]; connecting?: () => void }[] = [];
  let holdConnect = false;
  const create = (): Producer => {
    const state: (typeof made)[number] = { id: made.length, connected: false, broken: false, sent: [] };
    made.push(state);
    const answer = async (topic: string): Promise<RecordMetadata[]> => {
      if (state.broken) throw outOfOrder();
      state.sent.push(topic);
      return [{ topicName: topic, partition: 0, errorCode: 0 }];
    };
    return {
      connect: async () => {
        if (holdConnect) await new Promise<void>((resolve) => (state.connecting = resolve));
        state.connected = true; // kafkajs connects the cluster before it asks for a producer id
        if (failConnect.includes(state.id)) throw new Error('There is no leader for this topic-partition');
      },
      disconnect: async () => void (state.connected = false),
      send: (r: ProducerRecord) => answer(r.topic),
      sendBatch: (b: { topicMessages?: { topic: string }[] }) => answer(b.topicMessages![0].topic),
    } as unknown as Producer;
  };
  return { made, create, holdConnects: () => (holdConnect = true) };
}
const batchOf = (...counts: number[]) => ({ topicMessages: counts.map((n, i) => ({ topic: `t${i}`, messages: Array.from({ length: n }, () => ({ value: 'x' })) })) });

describe('renewingSends', () => {
  it('sends through the producer its owner holds while the broker takes the sends', async () => {
    const { made, create } = fakes();
    const facade = create();
    const sends = renewingSends(facade, create, { idempotent: true }, quietLog);
    await sends.send(record);
    await sends.sendBatch({ topicMessages: [{ topic: 'user.get', messages: [{ value: 'x' }] }] });
    assert.equal(made.length, 1, 'no second producer');
    assert.deepEqual(made[0].sent, ['product.stock', 'user.get']);
  });

  it('takes a new producer id when the sequence numbers are lost, and sends the refused record through it', async () => {
    const { made, create } = fakes();
    const facade = create();
    const sends = renewingSends(facade, create, { idempotent: true }, quietLog);
    made[0].broken = true;
    assert.deepEqual(await sends.send(record), [{ topicName: 'product.stock', partition: 0, errorCode: 0 }]);
    assert.equal(made.length, 2);
    assert.ok(made[1].connected, 'the new producer is connected before it sends');
    assert.deepEqual(made[1].sent, ['product.stock']);
    await sends.send(record);
    assert.equal(made.length, 2, 'later sends go through the new producer, without renewing again');
    assert.deepEqual(made[1].sent, ['product.stock', 'product.stock']);
  });

  it('renews once for sends that fail together, and again if the new id is lost too', async () => {
    const { made, create } = fakes();
    const facade = create();
    const sends = renewingSends(facade, create, { idempotent: true }, quietLog);
    made[0].broken = true;
    await Promise.all([sends.send(record), sends.send(record)]);
    assert.equal(made.length, 2, 'one renewal for two sends that failed on the same producer');
    made[1].broken = true;
    await sends.send(record);
    assert.equal(made.length, 3);
    assert.equal(made[1].connected, false, 'the producer it replaced is disconnected');
  });

  it('renews, but does not send again, a refused batch of several messages (some partitions may have written theirs)', async () => {
    for (const batch of [batchOf(2), batchOf(1, 1)]) {
      const { made, create } = fakes();
      const sends = renewingSends(create(), create, { idempotent: true }, quietLog);
      made[0].broken = true;
      await assert.rejects(sends.sendBatch(batch), /out of order/);
      assert.equal(made.length, 2, 'a new producer id for the sends after it');
      assert.deepEqual(made[1].sent, [], 'nothing sent twice');
      await sends.sendBatch(batchOf(1));
      assert.deepEqual(made[1].sent, ['t0']);
    }
  });

  it('disconnects a new producer whose connect fails, passes the refusal on, and tries again on the next refusal', async () => {
    const { made, create } = fakes([1]);
    const sends = renewingSends(create(), create, { idempotent: true }, quietLog);
    made[0].broken = true;
    await assert.rejects(sends.send(record), /out of order/);
    assert.equal(made[1].connected, false, 'what kafkajs opened before the failure is closed');
    assert.deepEqual(await sends.send(record), [{ topicName: 'product.stock', partition: 0, errorCode: 0 }]);
    assert.equal(made.length, 3);
    assert.deepEqual(made[2].sent, ['product.stock']);
  });

  it('waits for a renewal under way before it disconnects, and leaves nothing connected', async () => {
    const { made, create, holdConnects } = fakes();
    const facade = create();
    await facade.connect();
    const sends = renewingSends(facade, create, { idempotent: true }, quietLog);
    made[0].broken = true;
    holdConnects();
    const refused = sends.send(record);
    while (!made[1]?.connecting) await new Promise((resolve) => setImmediate(resolve));
    const disconnected = facade.disconnect();
    made[1].connecting();
    await disconnected;
    await assert.rejects(refused, /out of order/);
    assert.deepEqual(
      made.map((m) => m.connected),
      [false, false],
    );
  });

  it('passes any other failure on, on the same producer', async () => {
    const { made, create } = fakes();
    const facade = create();
    facade.send = async () => {
      throw Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    };
    const sends = renewingSends(facade, create, { idempotent: true }, quietLog);
    await assert.rejects(sends.send(record), /does not host/);
    assert.equal(made.length, 1);
  });

  it("disconnects the producer that took over with its owner's, and renews nothing after that", async () => {
    const { made, create } = fakes();
    const facade = create();
    await facade.connect();
    const sends = renewingSends(facade, create, { idempotent: true }, quietLog);
    made[0].broken = true;
    await sends.send(record);
    await facade.disconnect();
    assert.deepEqual(
      made.map((m) => m.connected),
      [false, false],
    );
    made[1].broken = true;
    await assert.rejects(sends.send(record), /out of order/);
    assert.equal(made.length, 2);
  });

  it('recognises the answer wrapped by the retrier', () => {
    assert.ok(lostSequence(Object.assign(new Error('retries exceeded'), { cause: outOfOrder() })));
    assert.ok(!lostSequence(new Error('Connection error')));
    assert.ok(!lostSequence(undefined));
  });
});
