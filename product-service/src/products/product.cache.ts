import { Injectable } from '@nestjs/common';
import { ProductResponse } from '@shop/contracts';
import { KafkaServerRef } from '@shop/platform';

const MAX_ENTRIES = 10_000;

/**
 * The products this replica owns, as product.get answers them, so a read does not wait
 * on the database. Every request about one product (get, update, delete, each stock
 * movement) is keyed by its id and reaches the one replica that owns the id's partition
 * (CoPartitionedAssigner), so this replica's own writes are the only writes: it applies
 * each to the cached entry before it answers, and the next read sees it (read-your-writes,
 * whatever the number of replicas). When the group rebalances the owned partitions may
 * change, and with them whose writes this replica sees: the cache starts empty again.
 */
@Injectable()
export class ProductCache {
  private readonly entries = new Map<string, ProductResponse>();
  /** The rebalance the entries belong to. */
  private generation = -1;
  /** Counts writes, so a read that raced with a write does not cache what it read before it. */
  private writes = 0;

  constructor(private readonly server: KafkaServerRef) {}

  private get(id: string): ProductResponse | undefined {
    this.forgetAfterRebalance();
    return this.entries.get(id);
  }

  /**
   * Reads through the cache: `load` reads the database on a miss. What it read is kept
   * only when no write happened meanwhile (it may predate that write).
   */
  async read(id: string, load: () => Promise<ProductResponse>): Promise<ProductResponse> {
    const cached = this.get(id);
    if (cached) return cached;
    const [writesBefore, generationBefore] = [this.writes, this.server.generation];
    const loaded = await load();
    if (this.writes === writesBefore && this.server.generation === generationBefore) this.keep(loaded);
    return loaded;
  }

  /**
   * A catalog write of `product`. Its stock is what the write read, which a stock movement
   * handled meanwhile (another topic, handled side by side) may have changed since: the
   * cached stock, kept up to date by every movement, stays.
   */
  written(product: ProductResponse): void {
    this.writes++;
    const entry = this.get(product.id);
    if (entry) this.keep({ ...product, stock: entry.stock });
  }

  /** A stock movement applied to `id`. */
  stockChanged(id: string, stock: number): void {
    this.writes++;
    const entry = this.get(id);
    if (entry) this.entries.set(id, { ...entry, stock });
  }

  /** `id` was deleted, or a write to it failed halfway (what the database holds is not known here). */
  forget(id: string): void {
    this.writes++;
    this.entries.delete(id);
  }

  private keep(product: ProductResponse): void {
    this.forgetAfterRebalance();
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(product.id)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(product.id, product);
  }

  private forgetAfterRebalance(): void {
    if (this.generation === this.server.generation) return;
    this.entries.clear();
    this.generation = this.server.generation;
  }
}
