import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PRODUCT_VIEW_TOPIC, ProductResponse } from '@shop/contracts';
import { KAFKA_SETTINGS, KafkaAdmin, kafkaConnection, KafkaSettings } from '@shop/platform';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { productViewProducts as held, productViewReads as reads } from './metrics';
import { CatchUp, PRODUCT_VIEW_MAX_BYTES, ProductViewState } from './product-view.state';

/** How long a read waits for the broker to say where product.view ends, and then for the view to get there, before it asks product-service instead. */
const CATCH_UP_TIMEOUT_MS = 1000;
const RESTART_DELAY_MS = 5000;

/**
 * Product reads from memory: this gateway reads product.view (the changelog product-service
 * writes before it answers each write) from the beginning into a ProductViewState, and
 * answers GET /api/products/:id from it once it has read every record written before the
 * request arrived (CatchUp). Every write acknowledged to anyone before the read is therefore
 * in the answer, whichever gateway or product-service replica handled it. When the view
 * cannot answer (the product is not in it, a write is under way, the broker does not say
 * how far the topic goes), `read` says so and the caller asks product-service, as before.
 *
 * The consumer has a group of its own (every replica reads every partition) and commits
 * nothing: each start reads the compacted topic whole.
 */
@Injectable()
export class ProductView implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProductView.name);
  private readonly state = new ProductViewState();
  private readonly catchUp: CatchUp;
  private consumer?: Consumer;
  private restart?: NodeJS.Timeout;
  private stopped = false;
  /** Whether the warning that the view is full has been logged (once per process). */
  private saidFull = false;
  /** Counts the consumer's (re)joins: a batch handed out before the last one says nothing of where the new reading is. */
  private joins = 0;

  constructor(
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
    private readonly broker: KafkaAdmin,
  ) {
    this.catchUp = new CatchUp(() => this.endOffsets(), CATCH_UP_TIMEOUT_MS);
  }

  /**
   * The product, when the view holds it once it has caught up; undefined: ask
   * product-service. A product the view does not hold both records of is asked for at
   * once: it is new (its records are on their way), unknown, older than the view, or
   * dropped for room.
   */
  async read(id: string): Promise<ProductResponse | undefined> {
    if (!this.state.knows(id)) {
      reads.inc({ result: 'absent' });
      return undefined;
    }
    if (!(await this.catchUp.caughtUp())) {
      reads.inc({ result: 'behind' });
      return undefined;
    }
    const product = this.state.get(id);
    reads.inc({ result: product ? 'view' : 'absent' });
    return product;
  }

  onApplicationBootstrap(): void {
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restart);
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async start(): Promise<void> {
    const consumer = new Kafka(kafkaConnection(this.settings, `${this.settings.instance}-view`)).consumer({
      groupId: `${this.settings.app}-view-${randomUUID()}`,
      allowAutoTopicCreation: false,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: this.settings.fetchMaxWaitMs,
      retry: { restartOnFailure: async () => true },
    });
    this.consumer = consumer;
    // No offsets are committed, so every (re)join starts from the beginning: so does the state.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joins++;
      this.state.clear();
      this.catchUp.reset();
      held.set(0);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [PRODUCT_VIEW_TOPIC], fromBeginning: true });
      await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: this.settings.partitions, eachBatch: (batch) => this.apply(batch) });
    } catch (error) {
      this.consumer = undefined;
      await consumer.disconnect().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err: error }, `product.view could not be read; product reads ask product-service until it can (next try in ${RESTART_DELAY_MS / 1000} s)`);
      this.restart = setTimeout(() => void this.start(), RESTART_DELAY_MS);
      this.restart.unref();
    }
  }

  private async apply({ batch }: EachBatchPayload): Promise<void> {
    const joins = this.joins;
    for (const message of batch.messages) {
      const key = message.key?.toString() ?? '';
      if (!this.state.apply(key, message.value === null ? null : message.value.toString())) {
        this.logger.warn({ topic: batch.topic, partition: batch.partition, offset: message.offset, key }, `Skipped a product.view record this gateway does not understand (${batch.topic}/${batch.partition}@${message.offset})`);
      }
    }
    // A batch of the reading before a rejoin still lands in the state (the replay from the
    // beginning applies every later record again after it), but moves no position.
    if (joins === this.joins) this.catchUp.advance(batch.partition, Number(batch.lastOffset()) + 1);
    held.set(this.state.size);
    if (this.state.dropped > 0 && !this.saidFull) {
      this.saidFull = true;
      this.logger.warn(
        { maxBytes: PRODUCT_VIEW_MAX_BYTES, held: this.state.size },
        `product.view is larger than the ${PRODUCT_VIEW_MAX_BYTES / 1024 / 1024} MB this gateway gives it: it keeps the ${this.state.size} products most recently read or written, and asks product-service for the others`,
      );
    }
  }

  /** Where each partition of product.view ends now, from the partition leaders. */
  private endOffsets(): Promise<Map<number, number>> {
    return this.broker.endOffsets(PRODUCT_VIEW_TOPIC);
  }
}
