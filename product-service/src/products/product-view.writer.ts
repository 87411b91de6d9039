import { Injectable, Logger } from '@nestjs/common';
import { catalogRecordOf, PRODUCT_VIEW_TOPIC, ProductResponse, productViewKey } from '@shop/contracts';
import { EventPublisher, KafkaServerRef } from '@shop/platform';

/**
 * Writes product.view, the changelog the gateway answers product reads from (see
 * libs/contracts/src/products/product-view.ts), before anyone is answered: a gateway that
 * has read every record written before a request never answers it with a state older than
 * a write that was acknowledged. A catalog edit or a delete marks its keys pending first,
 * so that one whose second record is never written leaves keys the gateway does not answer
 * from. A stock movement writes only the stock it left (two records per movement cost the
 * order path measurably): when that record cannot be written, StockService writes it again
 * from the database, and a crash before it was written leaves the movement uncommitted.
 *
 * A product written to the database by other means (before product.view existed, the
 * stack's demo seed) is shared when this replica reads it (`share`), if no write of it ran
 * meanwhile: this replica owns the product's partitions, so it sees every write of it.
 */
@Injectable()
export class ProductViewWriter {
  private readonly logger = new Logger(ProductViewWriter.name);
  /** Writes begun, and the products being written now. */
  private started = 0;
  private readonly writing = new Map<string, number>();

  constructor(
    private readonly events: EventPublisher,
    private readonly server: KafkaServerRef,
  ) {}

  /** Runs a write of product `id` (its records included), so that a read that overlaps it is not shared. */
  async during<T>(id: string, write: () => Promise<T>): Promise<T> {
    this.started++;
    this.writing.set(id, (this.writing.get(id) ?? 0) + 1);
    try {
      return await write();
    } finally {
      const left = this.writing.get(id)! - 1;
      if (left === 0) this.writing.delete(id);
      else this.writing.set(id, left);
    }
  }

  /** Whether a write of `id` is running now. */
  writingNow(id: string): boolean {
    return this.writing.has(id);
  }

  /** A check, for a read of `id` begun now, that no write of it (nor a rebalance) ran meanwhile, so what it read is current. */
  quietSince(id: string): () => boolean {
    if (this.writingNow(id)) return () => false;
    const [started, generation] = [this.started, this.server.generation];
    return () => this.started === started && this.server.generation === generation;
  }

  /**
   * Writes a product read while no write of it ran (see quietSince) to product.view. Its
   * sends are queued at once, ahead of any later write's, so they cannot land after one.
   * Best effort: a product not in the view is read from product-service.
   */
  share(product: ProductResponse): void {
    this.created(product).catch((error) => this.logger.warn({ err: error, productId: product.id }, `Could not share product ${product.id} with product.view`));
  }

  async created(product: ProductResponse): Promise<void> {
    await Promise.all([this.catalog(product), this.stock(product.id, product.stock)]);
  }

  catalogPending(id: string): Promise<void> {
    return this.events.writeState(PRODUCT_VIEW_TOPIC, productViewKey.catalog(id), { id, pending: true });
  }

  catalog(product: ProductResponse): Promise<void> {
    return this.events.writeState(PRODUCT_VIEW_TOPIC, productViewKey.catalog(product.id), catalogRecordOf(product));
  }

  stockPending(id: string): Promise<void> {
    return this.events.writeState(PRODUCT_VIEW_TOPIC, productViewKey.stock(id), { id, pending: true });
  }

  stock(id: string, stock: number): Promise<void> {
    return this.events.writeState(PRODUCT_VIEW_TOPIC, productViewKey.stock(id), { id, stock });
  }

  async deleting(id: string): Promise<void> {
    await Promise.all([this.catalogPending(id), this.stockPending(id)]);
  }

  /** Tombstones: the product is gone (or never was: a write to an id that does not exist clears what it marked). */
  async deleted(id: string): Promise<void> {
    await Promise.all([
      this.events.writeState(PRODUCT_VIEW_TOPIC, productViewKey.catalog(id), null),
      this.events.writeState(PRODUCT_VIEW_TOPIC, productViewKey.stock(id), null),
    ]);
  }
}
