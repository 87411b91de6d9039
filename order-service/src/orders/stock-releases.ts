import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { RPC, stockMovement } from '@shop/contracts';
import { KafkaServerRef, RpcClient, ShopError } from '@shop/platform';
import { Model } from 'mongoose';
import { releasesPending } from './metrics';
import { PendingRelease } from './schemas/pending-release.schema';

/** The first wait before a release is sent again; it doubles each round up to MAX_RETRY_MS. */
export const FIRST_RETRY_MS = Symbol('FIRST_RETRY_MS');
const MAX_RETRY_MS = 30_000;
/** Pending releases sent again per round. */
const BATCH = 100;
/** How long a stopping process tries to write down the releases it holds. */
const LAST_TRY_MS = 2000;

/**
 * Puts back what a rejected order may have reserved, whatever the broker does meanwhile.
 * A release the broker would not take, or product-service did not confirm, is written
 * down (pending_releases) before the saga's order is decided, and sent again with backoff until
 * product-service answers it. Before, it was only logged: a broker that stayed unreachable
 * past the producer's retries (a leader election of 8.7 s in the cluster e2e) lost the
 * release, and the reservation kept its stock for good. What a replica leaves behind when
 * it stops or dies is taken up by the others when the group rebalances for its leaving,
 * and by any replica when it starts. A release is applied once per order and product at
 * product-service, so sending it twice (two replicas, a lost answer) is harmless. One that
 * can be neither confirmed nor written down (the broker and the database away at once) is
 * held in this process and tried both ways each round until one works; only this
 * process's death before then loses it, and its stop says so in an error line. No timer
 * runs while nothing is pending: idle costs nothing.
 */
@Injectable()
export class StockReleases implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StockReleases.name);
  private timer?: NodeJS.Timeout;
  private draining = false;
  /** A round was asked for while one ran: it runs again when done, lest a release written meanwhile wait for nothing. */
  private again = false;
  private stopped = false;
  /** Rounds in a row that left a release unconfirmed: the next waits firstRetryMs * 2^failures. */
  private failures = 0;
  /** Counts releases written down, so a round that counted before one was does not report 0 after it. */
  private written = 0;
  /** Releases neither confirmed nor written down, by `<orderId>:<productId>`: each round sends them again, or writes them down. */
  private readonly held = new Map<string, { orderId: string; productId: string }>();

  constructor(
    @InjectModel(PendingRelease.name) private readonly pending: Model<PendingRelease>,
    private readonly rpc: RpcClient,
    private readonly server: KafkaServerRef,
    @Optional() @Inject(FIRST_RETRY_MS) private readonly firstRetryMs: number = 1000,
  ) {}

  /** Sends what a replica that stopped left unconfirmed: now (without holding the boot up), and whenever one leaves the group. */
  onApplicationBootstrap(): void {
    this.server.onRebalance(() => void this.drain());
    void this.drain();
  }

  /** Whether a round runs or is due. */
  get busy(): boolean {
    return this.draining || this.timer !== undefined;
  }

  /** Stops the rounds; a release still held is written down if the database is back, or named in an error line. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.size === 0) return;
    const lastTry = Promise.allSettled([...this.held].map(([key, { orderId, productId }]) => this.writeDown(orderId, productId).then(() => this.held.delete(key))));
    // Bounded: with the database away, the driver would hold each write for its own timeout.
    await Promise.race([lastTry, new Promise((resolve) => setTimeout(resolve, LAST_TRY_MS).unref())]);
    for (const { orderId, productId } of this.held.values()) this.lost(orderId, productId);
  }

  /**
   * Sends a release for each product of the order. Resolves once each is confirmed, or
   * written down to be sent again, or (the database unreachable too) held here and tried
   * both ways again each round.
   */
  async release(orderId: string, productIds: string[]): Promise<void> {
    const results = await Promise.allSettled(productIds.map((productId) => this.settle(orderId, productId)));
    const unconfirmed = productIds.flatMap((productId, i) => {
      const result = results[i];
      return result.status === 'rejected' ? [{ productId, reason: result.reason as unknown }] : [];
    });
    if (unconfirmed.length === 0) return;
    const writes = await Promise.allSettled(unconfirmed.map(({ productId }) => this.writeDown(orderId, productId)));
    unconfirmed.forEach(({ productId, reason }, i) => {
      const write = writes[i];
      if (write.status === 'fulfilled') {
        this.logger.warn({ err: reason, orderId, productId }, `Release of ${productId} for order ${orderId} not confirmed; sending it again until it is`);
        return;
      }
      if (this.stopped) return this.lost(orderId, productId, write.reason); // no round will come
      const key = `${orderId}:${productId}`;
      if (!this.held.has(key)) releasesPending.inc();
      this.held.set(key, { orderId, productId });
      this.logger.error(
        { err: write.reason as unknown, orderId, productId },
        `Release of ${productId} for order ${orderId} neither confirmed nor written down (the broker and the database unreachable); held in memory and tried again until one works`,
      );
    });
    // A new release is first sent again soon, however long an earlier outage backed off.
    this.failures = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  /** One round: every pending release sent again, the answered ones struck off; another round follows while any is left. */
  private async drain(): Promise<void> {
    if (this.stopped) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    try {
      const heldLeft = await this.retryHeld();
      const writtenBefore = this.written;
      const due = await this.pending.find({}, { orderId: 1, productId: 1 }).limit(BATCH).lean<PendingRelease[]>().exec();
      if (this.stopped) return; // shutting down: what is pending waits for the next process
      const results = await Promise.allSettled(
        due.map(async ({ _id, orderId, productId }) => {
          await this.settle(orderId, productId);
          await this.pending.deleteOne({ _id }).exec();
          this.logger.log({ orderId, productId }, `Release of ${productId} for order ${orderId} confirmed`);
        }),
      );
      const left = await this.pending.countDocuments().exec();
      if (this.stopped) return;
      if (this.written === writtenBefore) releasesPending.set(left + this.held.size);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      this.failures = failed || heldLeft ? this.failures + 1 : 0;
      if (failed) this.logger.warn({ err: failed.reason, pending: left }, `${left} stock release(s) still unconfirmed; sending them again`);
      if (left > 0 || this.held.size > 0) this.schedule();
    } catch (error) {
      this.failures++;
      this.logger.warn({ err: error }, 'Could not read the pending stock releases; trying again');
      this.schedule();
    } finally {
      this.draining = false;
      if (this.again) {
        this.again = false;
        void this.drain();
      }
    }
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const delayMs = Math.min(MAX_RETRY_MS, this.firstRetryMs * 2 ** this.failures);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain();
    }, delayMs);
    this.timer.unref();
  }

  private lost(orderId: string, productId: string, err?: unknown): void {
    this.logger.error({ err, orderId, productId }, `Release of ${productId} for order ${orderId} neither confirmed nor written down as this process stops: its reservation stays until released by hand`);
  }

  /** Writes a release down in pending_releases, once per order and product. */
  private async writeDown(orderId: string, productId: string): Promise<void> {
    const write = await this.pending.updateOne({ _id: `${orderId}:${productId}` }, { $setOnInsert: { orderId, productId } }, { upsert: true }).exec();
    this.written++;
    // Counted once: the same release again (an abandoned order seen again) finds its row.
    if (write.upsertedCount > 0) releasesPending.inc();
  }

  /**
   * Each held release sent again, and written down if still unconfirmed; either way it is
   * no longer held. Whether any is still held (neither worked).
   */
  private async retryHeld(): Promise<boolean> {
    await Promise.allSettled(
      [...this.held].map(async ([key, { orderId, productId }]) => {
        try {
          await this.settle(orderId, productId);
          releasesPending.dec();
          this.logger.log({ orderId, productId }, `Release of ${productId} for order ${orderId} confirmed`);
        } catch {
          await this.writeDown(orderId, productId);
          releasesPending.dec(); // counted again as its row, if the row is new
          this.logger.warn({ orderId, productId }, `Release of ${productId} for order ${orderId} written down; sending it again until it is confirmed`);
        }
        this.held.delete(key);
      }),
    );
    return this.held.size > 0;
  }

  /**
   * Sends one release; resolves once product-service has answered it for good: applied, or
   * refused (a 4xx: the product is gone, say), which sending it again would not change.
   * Rejects while it is unconfirmed (a timeout, the broker away, a 5xx).
   */
  private async settle(orderId: string, productId: string): Promise<void> {
    try {
      // Never skipped for being late: a reservation that is not released is stock lost.
      await this.rpc.send(RPC.PRODUCT_STOCK, stockMovement.release(orderId, productId), { mustApply: true });
    } catch (error) {
      if (!(error instanceof ShopError) || error.statusCode >= 500) throw error;
      this.logger.warn({ err: error, orderId, productId }, `Release of ${productId} for order ${orderId} refused: ${error.message}`);
    }
  }
}
