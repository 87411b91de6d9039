import type { EachBatchPayload, KafkaMessage } from 'kafkajs';

export type BatchControls = Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'heartbeat' | 'isRunning' | 'isStale'>;

/**
 * Handles one fetched batch of one partition with keyed concurrency: messages with
 * different keys side by side (at most `concurrency` at once), messages with the same key
 * one after the other in partition order, and a message without a key on its own (its
 * producer spread it over the partitions, so no order was promised).
 *
 * Offsets are resolved only for the done prefix of the batch, so what a replica had not
 * finished when it died is delivered again to the next owner of the partition; the
 * handlers are idempotent for that. A failure (kafkajs then starts again from the first
 * unresolved offset) skips the later messages of its key and waits for every other
 * message in hand, so nothing is handled twice at the same time.
 */
export async function handleKeyedBatch(controls: BatchControls, concurrency: number, handle: (message: KafkaMessage) => Promise<void>): Promise<void> {
  const { batch, resolveOffset, heartbeat, isRunning, isStale } = controls;
  const lastOfKey = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();
  const started: { offset: string; done: Promise<void> }[] = [];
  for (const message of batch.messages) {
    if (!isRunning() || isStale()) break;
    while (running.size >= concurrency) await Promise.race(running);
    const key = message.key?.toString();
    const before = key === undefined ? undefined : lastOfKey.get(key);
    const done = before ? before.then(() => handle(message)) : handle(message);
    if (key !== undefined) lastOfKey.set(key, done);
    const slot = done.then(
      () => undefined,
      () => undefined,
    );
    running.add(slot);
    void slot.then(() => running.delete(slot));
    started.push({ offset: message.offset, done });
  }
  for (const { offset, done } of started) {
    try {
      await done;
    } catch (error) {
      await Promise.allSettled(started.map((s) => s.done));
      throw error;
    }
    resolveOffset(offset);
    await heartbeat();
  }
}
