import { Logger } from '@nestjs/common';
import { KafkaOptions, ServerKafka } from '@nestjs/microservices';
import { HEADERS, READ_PATTERNS } from '@shop/contracts';
import { EachMessagePayload, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { RequestContext, requestContext } from '../context/request-context';
import { messagesConsumed, rpcServerDuration, rpcServerInFlight } from '../metrics/metrics';
import { withCoalescedSends } from './send-coalescer';

/**
 * NestJS's Kafka server with what a request needs across processes:
 * - the request id from the message headers is the context of the handler (logs,
 *   outgoing messages) and goes back on the reply, errors included;
 * - a request whose caller has stopped waiting (past its deadline) is skipped, so a
 *   service that comes back after an outage does not act on answers nobody reads;
 * - it knows whether its consumer is in its group, for readiness.
 */
export class ShopKafkaServer extends ServerKafka {
  private joined = false;
  private readonly log = new Logger('KafkaServer');

  private readonly reads = new Set<Promise<void>>();

  private readonly readConcurrency: number;
  private readonly sendsInFlight: number | undefined;

  /**
   * `readConcurrency` > 1: read patterns of one partition are answered side by side, up
   * to that many at once. `sendsInFlight`: replies go through a SendCoalescer with that many batches in flight.
   */
  constructor(options: Required<KafkaOptions>['options'], tuning: { readConcurrency?: number; sendsInFlight?: number } = {}) {
    super(options);
    this.readConcurrency = tuning.readConcurrency ?? 1;
    this.sendsInFlight = tuning.sendsInFlight;
  }

  override createClient<T = Kafka>(): T {
    return withCoalescedSends(super.createClient<Kafka>(), this.sendsInFlight) as T;
  }

  /** Lets the reads still being answered finish (their replies need the producer) before disconnecting. */
  override async close(): Promise<void> {
    await Promise.allSettled([...this.reads]);
    await super.close();
  }

  isJoined(): boolean {
    return this.joined;
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer!;
    consumer.on(consumer.events.GROUP_JOIN, () => (this.joined = true));
    consumer.on(consumer.events.STOP, () => (this.joined = false));
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.log.error({ err: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const headers = payload.message.headers ?? {};
    const requestId = headerText(headers[HEADERS.REQUEST_ID]) ?? randomUUID();
    const deadline = Number(headerText(headers[HEADERS.DEADLINE]));
    if (deadline > 0 && Date.now() > deadline) {
      rpcServerDuration.observe({ pattern: payload.topic, outcome: 'skipped' }, 0);
      this.log.warn(
        { requestId, topic: payload.topic, partition: payload.partition, offset: payload.message.offset, lateMs: Date.now() - deadline },
        `Skipped a ${payload.topic} request: its caller stopped waiting ${Date.now() - deadline} ms ago`,
      );
      return;
    }
    if (this.readConcurrency > 1 && READ_PATTERNS.includes(payload.topic)) {
      // Don't hold the partition for a read: start it and take the next message, with
      // at most readConcurrency in flight (the fetch loop waits here when full).
      while (this.reads.size >= this.readConcurrency) await Promise.race(this.reads);
      const read: Promise<void> = this.handle(payload, requestId)
        .catch((error: unknown) => this.log.error({ err: error, requestId, pattern: payload.topic }, `Failed to answer ${payload.topic}`))
        .finally(() => this.reads.delete(read));
      this.reads.add(read);
      return;
    }
    return this.handle(payload, requestId);
  }

  private async handle(payload: EachMessagePayload, requestId: string): Promise<void> {
    const pattern = payload.topic;
    messagesConsumed.inc({ topic: pattern });
    rpcServerInFlight.inc({ pattern });
    const end = rpcServerDuration.startTimer({ pattern });
    const started = performance.now();
    const context: RequestContext = { requestId, pattern };
    try {
      await requestContext.run(context, () => super.handleMessage(payload));
    } finally {
      const outcome = context.outcome ?? 'ok';
      end({ outcome });
      rpcServerInFlight.dec({ pattern });
      const ms = Math.round((performance.now() - started) * 10) / 10;
      requestContext.run(context, () =>
        this.log.log({ pattern, partition: payload.partition, offset: payload.message.offset, durationMs: ms, outcome }, `Handled ${pattern} in ${ms} ms: ${outcome}`),
      );
    }
  }

  override assignCorrelationIdHeader(correlationId: string, outgoingMessage: { headers?: Record<string, unknown> }): void {
    super.assignCorrelationIdHeader(correlationId, outgoingMessage as never);
    const context = requestContext.get();
    if (context) outgoingMessage.headers = { ...outgoingMessage.headers, [HEADERS.REQUEST_ID]: context.requestId, ...(context.pattern && { [HEADERS.PATTERN]: context.pattern }) };
  }
}

function headerText(value: Buffer | string | (Buffer | string)[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}
