import { Logger } from '@nestjs/common';
import { KafkaHeaders, ServerKafka } from '@nestjs/microservices';
import { KafkaRequestSerializer } from '@nestjs/microservices/serializers';
import { HEADERS, isHandledWhenLate, isReadPattern } from '@shop/contracts';
import { Consumer, EachBatchPayload, EachMessagePayload, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { headerText, principalFrom } from '../auth/principal-headers';
import { requestContext } from '../context/request-context';
import { messagesConsumed, rpcServerDuration } from '../metrics/metrics';
import { CoPartitionedAssigner } from './co-partitioned.assigner';
import { KafkaSettings, nestKafkaOptions } from './kafka.settings';
import { withCoalescedSends } from './send-coalescer';
import { handleKeyedBatch } from './keyed-batch';
import { injectTraceContext, inSpan, messagingAttributes, recordOutcome, SpanKind, traceContextOf } from '../tracing/tracing';

/**
 * NestJS's Kafka server with what a request needs across processes:
 * - the request id from the message headers is the context of the handler (logs,
 *   outgoing messages) and goes back on the reply, errors included;
 * - a request whose caller has stopped waiting (past its deadline) is skipped, so a
 *   service that comes back after an outage does not act on answers nobody reads
 *   (unless its contract hands it to its handler: see RpcContract.whenLate);
 * - read patterns are answered side by side, up to `readConcurrency` at once; writes
 *   and events of different keys too, up to `writeConcurrency` per partition, while those
 *   of one key keep their partition's order, and an offset is committed only once it and
 *   every message before it in its partition are done (see handleKeyedBatch);
 * - it knows whether its consumer is in its group, for readiness.
 * The handled-message line and metric come from RpcHandledInterceptor.
 */
/** How long a stopping server waits for its replies in flight (a pod's grace period is 30 s). */
const REPLY_DRAIN_MS = 10_000;

export class ShopKafkaServer extends ServerKafka {
  private joined = false;
  private readonly log = new Logger('KafkaServer');
  private readonly reads = new Set<Promise<void>>();
  /** Replies on their way: NestJS sends them on a later tick than the handler settles. */
  private readonly replies = new Set<Promise<unknown>>();
  private readonly readConcurrency: number;
  private readonly writeConcurrency: number;

  /** `onJoin`: told each time the consumer joins its group (a rebalance: its partitions may have changed). */
  constructor(
    settings: KafkaSettings,
    private readonly onJoin: () => void = () => undefined,
  ) {
    const options = nestKafkaOptions(settings);
    super({
      ...options,
      // One replica gets partition N of every request topic, so one entity's requests meet
      // there. (Only here: the reply client keeps NestJS's own assigner, which lets each
      // replica keep the reply partition its callers wait on.) The cast: NestJS declares its
      // own copy of kafkajs' types.
      consumer: { ...options.consumer!, partitionAssigners: [CoPartitionedAssigner as never] },
      serializer: new ReplySerializer(),
    });
    this.readConcurrency = settings.readConcurrency;
    this.writeConcurrency = settings.writeConcurrency;
  }

  /** NestJS's, with kafkajs' eachBatch in place of eachMessage: keyed concurrency per partition. */
  override async bindEvents(consumer: Consumer): Promise<void> {
    const topics = [...this.messageHandlers.keys()];
    if (topics.length > 0) await consumer.subscribe({ ...this.options.subscribe, topics });
    await consumer.run({
      ...this.options.run,
      eachBatchAutoResolve: false,
      eachBatch: (payload: EachBatchPayload) =>
        handleKeyedBatch(payload, this.writeConcurrency, (message) =>
          this.handleMessage({ topic: payload.batch.topic, partition: payload.batch.partition, message, heartbeat: payload.heartbeat, pause: payload.pause }),
        ),
    });
  }

  override createClient<T = Kafka>(): T {
    return withCoalescedSends(super.createClient<Kafka>()) as T;
  }

  /**
   * A graceful stop (SIGTERM, a rolling update): leave the group at once, so the other
   * replicas take the partitions without waiting for the session timeout. kafkajs first
   * finishes the messages in hand and commits them; the reads still being answered then
   * finish too, and every reply is sent (they need the producer, which goes last).
   */
  override async close(): Promise<void> {
    await this.consumer?.disconnect();
    await Promise.allSettled([...this.reads]);
    // A settled handler's reply, and the end-of-stream message after it, are sent on later
    // ticks: the producer stays until a whole turn of the event loop starts no more.
    // A broker that does not take them costs each send its retries: at most REPLY_DRAIN_MS in all.
    const deadline = Date.now() + REPLY_DRAIN_MS;
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.replies.size === 0) break;
      if (Date.now() > deadline) {
        this.log.warn({ replies: this.replies.size }, `Stopping with ${this.replies.size} replies unsent after ${REPLY_DRAIN_MS} ms`);
        break;
      }
      await Promise.race([Promise.allSettled([...this.replies]), new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()) + 1).unref())]);
    }
    await super.close();
  }

  override sendMessage(...args: Parameters<ServerKafka['sendMessage']>): ReturnType<ServerKafka['sendMessage']> {
    const sent = super.sendMessage(...args);
    this.replies.add(sent);
    const done = () => void this.replies.delete(sent);
    sent.then(done, done);
    return sent;
  }

  isJoined(): boolean {
    return this.joined;
  }

  /** The group that consumes this app's requests, as NestJS names it (the app's name and `-server`). */
  get consumerGroup(): string {
    return this.groupId;
  }

  protected override registerConsumerEventListeners(): void {
    super.registerConsumerEventListeners();
    const consumer = this.consumer!;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      this.onJoin();
    });
    consumer.on(consumer.events.STOP, () => (this.joined = false));
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.log.error({ err: event.payload.error, restart: event.payload.restart }, 'Kafka consumer crashed');
    });
  }

  override async handleMessage(payload: EachMessagePayload): Promise<void> {
    const headers = payload.message.headers ?? {};
    const requestId = headerText(headers[HEADERS.REQUEST_ID]) ?? randomUUID();
    messagesConsumed.inc({ topic: payload.topic });
    // `handle <pattern>`, a child of the sender's span (the message's traceparent).
    const span = <T>(work: () => Promise<T>) =>
      inSpan(
        `handle ${payload.topic}`,
        {
          kind: headers[KafkaHeaders.REPLY_TOPIC] === undefined ? SpanKind.CONSUMER : SpanKind.SERVER,
          parent: traceContextOf(headers),
          attributes: messagingAttributes(payload.topic, headerText(payload.message.key ?? undefined), {
            'messaging.destination.partition.id': String(payload.partition),
            'messaging.kafka.offset': payload.message.offset,
            'shop.request_id': requestId,
          }),
        },
        work,
      );
    const deadline = Number(headerText(headers[HEADERS.DEADLINE]));
    const lateMs = deadline > 0 ? Date.now() - deadline : 0;
    const late = lateMs > 0;
    if (late) {
      const where = { requestId, topic: payload.topic, partition: payload.partition, offset: payload.message.offset, lateMs };
      if (!isHandledWhenLate(payload.topic)) {
        rpcServerDuration.observe({ pattern: payload.topic, outcome: 'skipped' }, 0);
        return span(async () => {
          recordOutcome('skipped');
          this.log.warn(where, `Skipped a ${payload.topic} request: its caller stopped waiting ${lateMs} ms ago`);
        });
      }
      this.log.warn(where, `Handing a late ${payload.topic} request to its handler: it may have begun before a crash`);
    }
    const principal = principalFrom(headers);
    const handle = () => span(() => requestContext.run({ requestId, pattern: payload.topic, principal, late }, () => super.handleMessage(payload)));
    if (this.readConcurrency > 1 && isReadPattern(payload.topic)) {
      // Don't hold the partition for a read: start it and take the next message, with
      // at most readConcurrency in flight (the fetch loop waits here when full).
      while (this.reads.size >= this.readConcurrency) await Promise.race(this.reads);
      const read: Promise<void> = handle()
        .catch((error: unknown) => this.log.error({ err: error, requestId, pattern: payload.topic }, `Failed to answer ${payload.topic}`))
        .finally(() => this.reads.delete(read));
      this.reads.add(read);
      return;
    }
    return handle();
  }
}

/**
 * Replies (answers and errors alike) carry the request id and the pattern they answer,
 * read from the context of the message being handled, so a person can match them in
 * the caller's reply topic; and the handling span as `traceparent`.
 */
class ReplySerializer extends KafkaRequestSerializer {
  override serialize(value: unknown) {
    const message = super.serialize(value);
    const context = requestContext.get();
    if (context) {
      const headers: Record<string, string> = { [HEADERS.REQUEST_ID]: context.requestId, ...(context.pattern && { [HEADERS.PATTERN]: context.pattern }) };
      injectTraceContext(headers);
      message.headers = { ...message.headers, ...headers };
    }
    return message;
  }
}
