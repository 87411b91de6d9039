import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { ERROR_CODES, HEADERS, isWireError } from '@shop/contracts';
import { KafkaJSError } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { firstValueFrom, from, lastValueFrom, mergeMap, throwError, timeout } from 'rxjs';
import { AppConfig } from '../config/app.config';
import { KafkaAdmin } from './kafka-admin';
import { requestContext } from '../context/request-context';
import { ShopError } from '../errors/shop.error';
import { eventsPublished, outcomeOf, rpcClientDuration } from '../metrics/metrics';
import { SERVICE_INFO, ServiceInfo } from '../service-info';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const RPC_PATTERNS = Symbol('RPC_PATTERNS');
/** `(pattern) => topic`: where this app's answers to a pattern arrive. */
export const REPLY_TOPIC_OF = Symbol('REPLY_TOPIC_OF');

const ASSIGNMENT_WAIT_MS = 60_000;
/** How long, after a timeout, the broker gets to prove it is there. */
const BROKER_CHECK_MS = 500;

/**
 * Request-reply and events over Kafka for the code that calls other services.
 * Every message carries the current request id; every send has a deadline and
 * answers 504 RPC_TIMEOUT when it passes; a broker that cannot be reached is 503.
 */
@Injectable()
export class RpcClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RpcClient.name);
  private readonly timeoutMs: number;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(RPC_PATTERNS) private readonly patterns: readonly string[],
    @Inject(REPLY_TOPIC_OF) private readonly replyTopicOf: (pattern: string) => string,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    private readonly broker: KafkaAdmin,
    config: AppConfig,
  ) {
    this.timeoutMs = config.RPC_TIMEOUT_MS;
  }

  async onModuleInit(): Promise<void> {
    for (const pattern of this.patterns) this.client.subscribeToResponseOf(pattern);
    await this.client.connect();
    await this.waitForReplyPartitions();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  /**
   * No answer in time: 503 when the broker itself does not answer a quick round trip
   * (the request may never have left), else 504 (a service did not answer).
   */
  private async whyNoAnswer(pattern: string, timeoutMs: number): Promise<ShopError> {
    if (await this.brokerAnswers()) {
      return new ShopError(504, ERROR_CODES.RPC_TIMEOUT, `No answer to ${pattern} within ${timeoutMs} ms`, { pattern, timeoutMs });
    }
    return new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, 'The message broker cannot be reached; try again shortly', { pattern });
  }

  private async brokerAnswers(): Promise<boolean> {
    return this.broker.roundTrip(BROKER_CHECK_MS).then(
      () => true,
      () => false,
    );
  }

  /** True once this replica owns a partition of every reply topic it listens on. */
  isReady(): boolean {
    const assigned = this.client.getConsumerAssignments();
    return this.patterns.every((p) => assigned[this.replyTopicOf(p)] !== undefined);
  }

  /**
   * Sends a request and waits for its reply. The request carries its deadline, so the
   * service skips it once nobody waits; `mustApply` leaves the deadline off for a
   * message that must take effect however late it is handled (a compensating release).
   */
  async send<T>(pattern: string, payload: unknown, key?: string, options: { timeoutMs?: number; mustApply?: boolean } = {}): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const timer = rpcClientDuration.startTimer({ pattern });
    const headers = options.mustApply ? this.headers() : { ...this.headers(), [HEADERS.DEADLINE]: String(Date.now() + timeoutMs) };
    const message = { key: key ?? null, value: payload, headers };
    try {
      const reply = await firstValueFrom(
        this.client.send<T>(pattern, message).pipe(
          timeout({
            first: timeoutMs,
            with: () => from(this.whyNoAnswer(pattern, timeoutMs)).pipe(mergeMap((error) => throwError(() => error))),
          }),
        ),
      );
      timer({ outcome: 'ok' });
      return reply;
    } catch (error) {
      const failure = this.toShopError(error, pattern);
      timer({ outcome: outcomeOf(failure.statusCode, failure.code) });
      throw failure;
    }
  }

  /** Publishes an event: JSON value, entity id as key, request id and event id in headers. */
  async emit(event: string, key: string, payload: unknown): Promise<void> {
    const eventId = randomUUID();
    const headers = { ...this.headers(), [HEADERS.EVENT_ID]: eventId, [HEADERS.EVENT_TYPE]: event };
    try {
      await lastValueFrom(this.client.emit(event, { key, value: payload, headers }));
      eventsPublished.inc({ topic: event });
    } catch (error) {
      throw this.toShopError(error, event);
    }
  }

  private headers(): Record<string, string> {
    return {
      [HEADERS.REQUEST_ID]: requestContext.requestId() ?? randomUUID(),
      [HEADERS.PRODUCER]: this.info.instance,
      [HEADERS.CONTENT_TYPE]: 'application/json',
    };
  }

  private toShopError(error: unknown, pattern: string): ShopError {
    if (error instanceof ShopError) return error;
    const wire = parseWireError(error);
    if (wire) return ShopError.fromWire(wire);
    if (error instanceof KafkaJSError || (error instanceof Error && error.name.startsWith('KafkaJS'))) {
      this.logger.error({ err: error, pattern }, `Kafka unreachable while sending ${pattern}`);
      return new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, 'The message broker cannot be reached; try again shortly');
    }
    if (error instanceof Error && error.name === 'InvalidKafkaClientTopicException') {
      return new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, `Not ready to receive answers to ${pattern} yet; try again shortly`);
    }
    if (typeof error === 'string' && error.includes('no matching message handler')) {
      return new ShopError(501, ERROR_CODES.NO_HANDLER, `No service handles ${pattern}`);
    }
    this.logger.error({ err: error, pattern }, `Unexpected failure calling ${pattern}`);
    return new ShopError(500, ERROR_CODES.INTERNAL_ERROR, 'Internal server error');
  }

  private async waitForReplyPartitions(): Promise<void> {
    if (this.patterns.length === 0) return;
    const started = Date.now();
    while (!this.isReady()) {
      if (Date.now() - started > ASSIGNMENT_WAIT_MS) {
        throw new Error(`No reply partitions assigned within ${ASSIGNMENT_WAIT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.logger.log({ assignments: this.client.getConsumerAssignments() }, 'Listening for replies');
  }
}

/** The reply's error header arrives as JSON text (or already parsed). */
function parseWireError(error: unknown) {
  if (isWireError(error)) return error;
  if (typeof error === 'string' || Buffer.isBuffer(error)) {
    try {
      const parsed: unknown = JSON.parse(error.toString());
      return isWireError(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
