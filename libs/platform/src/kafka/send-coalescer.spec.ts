import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { SendCoalescer } from './send-coalescer';

const meta = (topicName: string): RecordMetadata => ({ topicName, partition: 0, errorCode: 0 });
const record = (topic: string, value: string, acks = -1): ProducerRecord => ({ topic, acks, messages: [{ value }] });

/** A producer whose batches are answered by the test, one `release()` at a time. */
function fakeProducer(failTopic?: string, maxInFlight = 1) {
  const batches: ProducerBatch[] = [];
  const singles: ProducerRecord[] = [];
  const pending: (() => void)[] = [];
  const sendBatch = (batch: ProducerBatch) => {
    batches.push(batch);
    return new Promise<RecordMetadata[]>((resolve, reject) =>
      pending.push(() => {
        const topics = (batch.topicMessages ?? []).map((t) => t.topic);
        if (failTopic && topics.includes(failTopic)) reject(new Error(`unknown topic ${failTopic}`));
        else resolve(topics.map(meta));
      }),
    );
  };
  const sendOne = async (r: ProducerRecord) => {
    singles.push(r);
    if (r.topic === failTopic) throw new Error(`unknown topic ${failTopic}`);
    return [meta(r.topic)];
  };
  const release = () => pending.shift()?.();
  return { coalescer: new SendCoalescer(sendBatch, sendOne, maxInFlight), batches, singles, release };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
/** Lets event-loop turns pass until `count` batches went out (at most 10 turns). */
async function batchesSent(batches: ProducerBatch[], count: number): Promise<void> {
  for (let i = 0; i < 10 && batches.length < count; i++) await turn();
  assert.equal(batches.length, count);
}
const values = (batch: ProducerBatch) => (batch.topicMessages ?? []).map((t) => `${t.topic}:${String(t.messages[0].value)}`);

describe('SendCoalescer', () => {
  it('sends a lone record at once, without waiting for the turn to end', () => {
    const { coalescer, batches } = fakeProducer();
    void coalescer.send(record('user.get.reply', 'a'));
    assert.deepEqual(batches.map(values), [['user.get.reply:a']], 'on the wire before send() returns');
  });

  it('sends what was queued while a batch was in flight as one batch, answering each sender with its own topic', async () => {
    const { coalescer, batches, release } = fakeProducer();
    const first = coalescer.send(record('t', '0'));
    const a = coalescer.send(record('user.get.reply', 'a'));
    const b = coalescer.send(record('product.get.reply', 'b'));
    release();
    await first;
    await batchesSent(batches, 2);
    assert.deepEqual(values(batches[1]), ['user.get.reply:a', 'product.get.reply:b']);
    assert.equal(batches[1].acks, -1);
    release();
    assert.deepEqual(await a, [meta('user.get.reply')]);
    assert.deepEqual(await b, [meta('product.get.reply')]);
  });

  it('holds what is sent while a batch is in flight and sends it as the next batch, in order', async () => {
    const { coalescer, batches, release } = fakeProducer();
    const first = coalescer.send(record('t', '1'));
    await turn();
    const rest = [coalescer.send(record('t', '2')), coalescer.send(record('t', '3'))];
    await turn();
    assert.equal(batches.length, 1, 'nothing more goes out before the first batch is acknowledged');
    release();
    await first;
    await batchesSent(batches, 2);
    assert.deepEqual(values(batches[1]), ['t:2', 't:3']);
    release();
    await Promise.all(rest);
  });

  it('lets up to maxInFlight batches await their acknowledgement at once', async () => {
    const { coalescer, batches, release } = fakeProducer(undefined, 2);
    const sent = [coalescer.send(record('t', '1'))];
    await turn();
    sent.push(coalescer.send(record('t', '2')));
    await batchesSent(batches, 2);
    sent.push(coalescer.send(record('t', '3')), coalescer.send(record('t', '4')));
    for (let i = 0; i < 5; i++) await turn();
    assert.equal(batches.length, 2, 'a third batch waits while two are in flight');
    release();
    await batchesSent(batches, 3);
    assert.deepEqual(values(batches[2]), ['t:3', 't:4']);
    release();
    release();
    await Promise.all(sent);
  });

  it('retries a failed batch record by record, so only the bad record fails', async () => {
    const { coalescer, batches, singles, release } = fakeProducer('missing');
    const first = coalescer.send(record('t', 'first')); // in flight: the next two go together
    const good = coalescer.send(record('t', 'good'));
    const bad = coalescer.send(record('missing', 'bad'));
    release();
    await first;
    await batchesSent(batches, 2);
    release();
    assert.deepEqual(await good, [meta('t')]);
    await assert.rejects(bad, /unknown topic missing/);
    assert.deepEqual(
      singles.map((r) => r.topic),
      ['t', 'missing'],
    );
  });

  it('fails every record of a batch refused for lost sequence numbers, without sending each again (some may be written)', async () => {
    const singles: ProducerRecord[] = [];
    let batchesAsked = 0;
    const coalescer = new SendCoalescer(
      async () => {
        if (batchesAsked++ === 0) return [meta('t')];
        throw Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
      },
      async (r) => {
        singles.push(r);
        return [meta(r.topic)];
      },
    );
    const first = coalescer.send(record('t', 'first')); // in flight: the next two go together
    const a = coalescer.send(record('t', 'a'));
    const b = coalescer.send(record('u', 'b'));
    await first;
    await assert.rejects(a, /out of order/);
    await assert.rejects(b, /out of order/);
    assert.equal(singles.length, 0);
  });

  it('fails a lone record with the batch error, without a second try', async () => {
    const { coalescer, singles, release } = fakeProducer('missing');
    const bad = coalescer.send(record('missing', 'x'));
    release();
    await assert.rejects(bad, /unknown topic missing/);
    assert.equal(singles.length, 0);
  });

  it('never mixes records with different delivery settings in one batch', async () => {
    const { coalescer, batches, release } = fakeProducer();
    const first = coalescer.send(record('t', 'first', -1)); // in flight: the next two wait together
    const all = coalescer.send(record('t', 'all', -1));
    const leader = coalescer.send(record('t', 'leader', 1));
    release();
    await first;
    await batchesSent(batches, 2);
    assert.deepEqual(values(batches[1]), ['t:all']);
    release();
    await all;
    await batchesSent(batches, 3);
    assert.deepEqual(values(batches[2]), ['t:leader']);
    assert.equal(batches[2].acks, 1);
    release();
    await leader;
  });
});
