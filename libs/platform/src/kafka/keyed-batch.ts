import type { EachBatchPayload, KafkaMessage } from 'kafkajs';

export type BatchControls = Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'heartbeat' | 'isRunning' | 'isStale'>;

/** How often a batch in hand heartbeats (kafkajs sends one when its heartbeatInterval has passed). */
const HEARTBEAT_EVERY_MS = 1000;

/**
 * Handles one fetched batch of one partition with keyed concurrency: messages with
 * different keys side by side (at most `concurrency` at once), messages with the same key
 * one after the other in partition order, and a message without a key on its own (its
 * producer spread it over the partitions, so no order was promised).
 *
 * Offsets are resolved only for the done prefix of the batch, so what a replica had not
 * finished when it died is delivered again to the next owner of the partition; the
 * handlers are idempotent for that. It heartbeats every second while the batch is in hand
 * (kafkajs would only between batches), so a long batch does not cost the partition. On a
 * failure (a handler's, or a heartbeat's: a rebalance) it starts nothing more, waits for
 * every message in hand, resolves the done prefix and throws: kafkajs then starts again
 * from the first unresolved offset, and no message is ever handled twice at the same time.
 */
export async function handleKeyedBatch(controls: BatchControls, concurrency: number, handle: (message: KafkaMessage) => Promise<void>): Promise<void> {
  const { batch, resolveOffset, heartbeat, isRunning, isStale } = controls;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => void (failure ??= { error });
  const beat = () => heartbeat().catch(fail);
  const beating = setInterval(() => void beat(), HEARTBEAT_EVERY_MS);
  const lastOfKey = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  const started: { offset: string; done: Promise<void> }[] = [];
  try {
    for (const message of batch.messages) {
      while (running.size >= concurrency && !failure) await Promise.race(running);
      if (failure || !isRunning() || isStale()) break;
      const key = message.key?.toString();
      const before = key === undefined ? undefined : lastOfKey.get(key);
      const done = before ? before.then(() => handle(message)) : handle(message);
      if (key !== undefined) lastOfKey.set(key, done);
      const slot = done.then(() => undefined, fail);
      running.add(slot);
      void slot.then(() => running.delete(slot));
      started.push({ offset: message.offset, done });
    }
    for (const { offset, done } of started) {
      if (!(await done.then(() => true, () => false))) break;
      resolveOffset(offset);
    }
    await Promise.allSettled(started.map((s) => s.done));
    if (!failure) await beat();
    if (failure) throw failure.error;
  } finally {
    clearInterval(beating);
  }
}
