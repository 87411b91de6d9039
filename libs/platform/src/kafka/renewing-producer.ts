import { Logger } from '@nestjs/common';
import type { Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';

/**
 * Broker answers that leave an idempotent producer's id unusable: its sequence numbers
 * no longer match the partition leader's. kafkajs keeps the id and the numbers for the
 * life of the producer (connecting again keeps them too), so every later send to that
 * partition fails the same way (tulios/kafkajs#598, seen here after a leader election).
 * Java's client bumps the epoch instead; kafkajs has no way to.
 */
const LOST_SEQUENCE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH']);

/** Whether the error, or one it wraps, is one of those answers. */
export function lostSequence(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.type === 'string' && LOST_SEQUENCE.has(e.type)) return true;
  }
  return false;
}

export interface Sends {
  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]>;
  send(record: ProducerRecord): Promise<RecordMetadata[]>;
}

/**
 * The sends of an idempotent producer that takes a new producer id when the broker
 * answers that its sequence numbers are lost: a new kafkajs producer is created and
 * connected, and later sends go through it. A refused send of one message goes once
 * more through the new producer: the broker wrote none of it. A refused send of several
 * is rejected: the broker answers per partition, so some partitions may have written
 * theirs, and sending them again would write those twice. `facade` stays the object its
 * owner (NestJS) holds: its connect and events are its own, and its disconnect also
 * disconnects the one that took over.
 */
export function renewingSends(facade: Producer, create: (config?: ProducerConfig) => Producer, config?: ProducerConfig, log = new Logger('Kafka')): Sends {
  let current = facade;
  let renewal: Promise<Producer> | undefined;
  let closed = false;

  const connectFresh = async (): Promise<Producer> => {
    const fresh = create(config);
    try {
      await fresh.connect();
    } catch (error) {
      // kafkajs connects the cluster before it asks for a producer id: close what it opened.
      await fresh.disconnect().catch(() => undefined);
      throw error;
    }
    if (closed) {
      await fresh.disconnect().catch(() => undefined);
      throw new Error('the producer was disconnected while it renewed its id');
    }
    const old = current;
    current = fresh;
    if (old !== facade) void old.disconnect().catch(() => undefined);
    return fresh;
  };

  const renew = (failed: Producer): Promise<Producer> => {
    if (current !== failed) return Promise.resolve(current); // another send renewed it already
    renewal ??= connectFresh().finally(() => (renewal = undefined));
    return renewal;
  };

  const through =
    <A>(op: (producer: Producer, arg: A) => Promise<RecordMetadata[]>, messages: (arg: A) => number) =>
    async (arg: A): Promise<RecordMetadata[]> => {
      const producer = current;
      try {
        return await op(producer, arg);
      } catch (error) {
        if (!lostSequence(error) || closed) throw error;
        log.warn(`The broker lost this producer's sequence numbers (${String((error as Error).message)}): later sends go through a new producer id`);
        let fresh: Producer;
        try {
          fresh = await renew(producer);
        } catch (renewError) {
          log.error(`A new producer could not connect: ${String((renewError as Error).message)}`);
          throw error;
        }
        if (messages(arg) !== 1) throw error;
        return op(fresh, arg);
      }
    };

  // Bound once: `facade.send` is replaced by the owner of these sends.
  const facadeSend = facade.send.bind(facade);
  const facadeSendBatch = facade.sendBatch.bind(facade);
  const facadeDisconnect = facade.disconnect.bind(facade);
  facade.disconnect = async () => {
    closed = true;
    await renewal?.catch(() => undefined);
    if (current !== facade) await current.disconnect().catch(() => undefined);
    await facadeDisconnect();
  };
  return {
    sendBatch: through(
      (p, batch: ProducerBatch) => (p === facade ? facadeSendBatch(batch) : p.sendBatch(batch)),
      (batch) => (batch.topicMessages ?? []).reduce((sum, t) => sum + t.messages.length, 0),
    ),
    send: through(
      (p, record: ProducerRecord) => (p === facade ? facadeSend(record) : p.send(record)),
      (record) => record.messages.length,
    ),
  };
}
