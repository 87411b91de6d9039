import type { Kafka, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from 'kafkajs';
import { lostSequence, renewingSends } from './renewing-producer';

interface Waiting {
  record: ProducerRecord;
  resolve: (metadata: RecordMetadata[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces sends into one Produce request. kafkajs sends one request per `send()`
 * and has no linger, so under load every reply costs a socket write, a broker request
 * and a response to parse. Here a send goes out at once when nothing is in flight;
 * while `maxInFlight` batches await their acknowledgement, sends queue and go out
 * together in one `sendBatch` (the Java producer's max.in.flight.requests.per.connection,
 * with linger.ms 0). Below the limit but above none, a send waits for the end of the
 * event-loop turn to gather the others of that turn.
 * With one in flight, one producer's messages also stay in the order they were sent.
 *
 * A failed batch of several records is retried record by record, so one bad record
 * (a topic that does not exist) fails only its own sender; not when the broker lost the
 * producer's sequence numbers, which it answers per partition.
 */
export class SendCoalescer {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly sendBatch: (batch: ProducerBatch) => Promise<RecordMetadata[]>,
    private readonly sendOne: (record: ProducerRecord) => Promise<RecordMetadata[]>,
    private readonly maxInFlight = 1,
  ) {}

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ record, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    if (this.inFlight === 0) {
      // Nothing on the wire: waiting for the turn to end would only delay a lone send.
      void this.flush();
      return;
    }
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    // Records with other delivery settings (acks, timeout, compression) wait for the next batch.
    const first = this.queue[0].record;
    const batch: Waiting[] = [];
    const later: Waiting[] = [];
    for (const waiting of this.queue) (sameSettings(waiting.record, first) ? batch : later).push(waiting);
    this.queue = later;
    this.inFlight++;
    this.schedule(); // a second batch may go out now if maxInFlight allows
    try {
      await this.deliver(batch);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  private async deliver(batch: Waiting[]): Promise<void> {
    const { acks, timeout, compression } = batch[0].record;
    try {
      const metadata = await this.sendBatch({
        acks,
        timeout,
        compression,
        topicMessages: batch.map((w) => ({ topic: w.record.topic, messages: w.record.messages })),
      });
      for (const w of batch) w.resolve(metadata.filter((m) => m.topicName === w.record.topic));
    } catch (error) {
      // Lost sequence numbers are answered per partition: some records may be written, and
      // sending each again would write those twice (see renewingSends).
      if (batch.length === 1 || lostSequence(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      await Promise.all(batch.map((w) => this.sendOne(w.record).then(w.resolve, w.reject)));
    }
  }
}

function sameSettings(a: ProducerRecord, b: ProducerRecord): boolean {
  return a.acks === b.acks && a.timeout === b.timeout && a.compression === b.compression;
}

/**
 * Makes every producer the client creates coalesce its sends (see SendCoalescer). An
 * idempotent one also takes a new producer id when the broker says its sequence
 * numbers are lost (see renewingSends).
 */
export function withCoalescedSends(kafka: Kafka, maxInFlight = 1): Kafka {
  const create = kafka.producer.bind(kafka);
  kafka.producer = (config) => {
    const producer: Producer = create(config);
    const sends = config?.idempotent ? renewingSends(producer, create, config) : { send: producer.send.bind(producer), sendBatch: producer.sendBatch.bind(producer) };
    const coalescer = new SendCoalescer(sends.sendBatch, sends.send, maxInFlight);
    producer.send = (record) => coalescer.send(record);
    return producer;
  };
  return kafka;
}
