import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { AnyRpcContract, ERROR_CODES, HEADERS, patternsCalledBy, RpcContract } from '@shop/contracts';
import { firstValueFrom, from, lastValueFrom, mergeMap, throwError, timeout } from 'rxjs';
import { KafkaAdmin } from './kafka-admin';
import { KAFKA_SETTINGS, KafkaSettings } from './kafka.settings';
import { outgoingHeaders, sendFailure } from './outgoing';
import { ShopClientKafka } from './shop-kafka.client';
import { ShopError } from '../errors/shop.error';
import { outcomeOf, rpcClientDuration } from '../metrics/metrics';
import { inSpan, messagingAttributes, SpanKind } from '../tracing/tracing';

export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');

const ASSIGNMENT_WAIT_MS = 60_000;
/** How long, after a timeout, the broker gets to prove it is there. */
const BROKER_CHECK_MS = 500;

export interface SendOptions {
  timeoutMs?: number;
  /** Leave the deadline off: the message must take effect however late it is handled (a compensating release). */
  mustApply?: boolean;
}

/**
 * Request-reply over Kafka for the code that calls other services, typed by the
 * contract map: `send(RPC.PRODUCT_GET, { id })` resolves with a ProductResponse, keyed
 * as the contract says. Every message carries the current request id; every send has
 * a deadline and answers 504 RPC_TIMEOUT when it passes; a broker that cannot be
 * reached is 503.
 */
@Injectable()
export class RpcClient implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RpcClient.name);
  /** The patterns this app waits for answers to, from the contract map. */
  private readonly calls: readonly AnyRpcContract[];

  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: ShopClientKafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly broker: KafkaAdmin,
  ) {
    this.calls = patternsCalledBy(settings.app);
  }

  async onModuleInit(): Promise<void> {
    for (const contract of this.calls) this.client.subscribeToResponseOf(contract.pattern);
    await this.client.connect();
    await this.waitForReplyPartitions();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  /** Sends a request and waits for its reply. The request carries its deadline, so the service skips it once nobody waits. */
  send<Req, Res>(contract: RpcContract<Req, Res>, request: Req, options: SendOptions = {}): Promise<Res> {
    const { pattern } = contract;
    const key = contract.key?.of(request) ?? null;
    return inSpan(`send ${pattern}`, { kind: SpanKind.CLIENT, attributes: messagingAttributes(pattern, key) }, async (span) => {
      const timeoutMs = options.timeoutMs ?? this.settings.rpcTimeoutMs;
      const timer = rpcClientDuration.startTimer({ pattern });
      const headers = outgoingHeaders(this.settings.instance);
      if (!options.mustApply) headers[HEADERS.DEADLINE] = String(Date.now() + timeoutMs);
      try {
        const reply = await firstValueFrom(
          this.client.send<Res>(pattern, { key, value: request, headers }).pipe(
            timeout({
              first: timeoutMs,
              with: () => from(this.whyNoAnswer(pattern, timeoutMs)).pipe(mergeMap((error) => throwError(() => error))),
            }),
          ),
        );
        timer({ outcome: 'ok' });
        span.setAttribute('shop.outcome', 'ok');
        return reply;
      } catch (error) {
        const failure = sendFailure(error, pattern);
        const outcome = outcomeOf(failure.statusCode, failure.code);
        timer({ outcome });
        span.setAttribute('shop.outcome', outcome);
        throw failure;
      }
    });
  }

  /**
   * Sends a request as a one-way command: no reply is waited for, and none is sent
   * (Prefer: respond-async orders, stock releases after a cancellation). It has no
   * deadline: it takes effect whenever it is handled.
   */
  command<Req>(contract: RpcContract<Req, unknown>, request: Req): Promise<void> {
    const key = contract.key?.of(request) ?? null;
    return inSpan(`send ${contract.pattern}`, { kind: SpanKind.PRODUCER, attributes: messagingAttributes(contract.pattern, key) }, async () => {
      try {
        await lastValueFrom(this.client.emit(contract.pattern, { key, value: request, headers: outgoingHeaders(this.settings.instance) }));
      } catch (error) {
        throw sendFailure(error, contract.pattern);
      }
    });
  }

  /** True once this replica owns a partition of its reply topic (at once for an app that calls nothing). */
  isReady(): boolean {
    return this.calls.length === 0 || this.client.getConsumerAssignments()[this.settings.replyTopic] !== undefined;
  }

  /** The consumer group that reads this app's replies, if it waits for any. */
  replyGroup(): string | undefined {
    return this.calls.length === 0 ? undefined : this.client.consumerGroup;
  }

  /**
   * No answer in time: 503 when the broker itself does not answer a quick round trip
   * (the request may never have left), else 504 (a service did not answer).
   */
  private async whyNoAnswer(pattern: string, timeoutMs: number): Promise<ShopError> {
    const brokerAnswers = await this.broker.roundTrip(BROKER_CHECK_MS).then(
      () => true,
      () => false,
    );
    if (brokerAnswers) {
      return new ShopError(504, ERROR_CODES.RPC_TIMEOUT, `No answer to ${pattern} within ${timeoutMs} ms`, { pattern, timeoutMs });
    }
    return new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, 'The message broker cannot be reached; try again shortly', { pattern });
  }

  private async waitForReplyPartitions(): Promise<void> {
    const started = Date.now();
    while (!this.isReady()) {
      if (Date.now() - started > ASSIGNMENT_WAIT_MS) {
        throw new Error(`No partition of ${this.settings.replyTopic} assigned within ${ASSIGNMENT_WAIT_MS} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (this.calls.length > 0) this.logger.log({ assignments: this.client.getConsumerAssignments() }, `Listening for replies on ${this.settings.replyTopic}`);
  }
}
