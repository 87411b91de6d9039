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
  /**
   * The reads of each product waiting on the database, each marked stale when a write of
   * that product lands meanwhile: what it read may predate the write, so it is not kept.
   * Per product: with writes of other products counted too, a replica under an order load
   * (a movement every few milliseconds) kept almost nothing it read.
   */
  private readonly loading = new Map<string, { stale: boolean }[]>();

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
    const race = { stale: false };
    const generationBefore = this.server.generation;
    const reads = this.loading.get(id) ?? [];
    this.loading.set(id, [...reads, race]);
    try {
      const loaded = await load();
      if (!race.stale && this.server.generation === generationBefore) this.keep(loaded);
      return loaded;
    } finally {
      const left = this.loading.get(id)!.filter((r) => r !== race);
      if (left.length > 0) this.loading.set(id, left);
      else this.loading.delete(id);
    }
  }

  /**
   * A catalog write of `product`. Its stock is what the write read, which a stock movement
   * handled meanwhile (another topic, handled side by side) may have changed since: the
   * cached stock, kept up to date by every movement, stays.
   */
  written(product: ProductResponse): void {
    this.wrote(product.id);
    const entry = this.get(product.id);
    if (entry) this.keep({ ...product, stock: entry.stock });
  }

  /** A stock movement applied to `id`. */
  stockChanged(id: string, stock: number): void {
    this.wrote(id);
    const entry = this.get(id);
    if (entry) this.entries.set(id, { ...entry, stock });
  }

  /** `id` was deleted, or a write to it failed halfway (what the database holds is not known here). */
  forget(id: string): void {
    this.wrote(id);
    this.entries.delete(id);
  }

  private wrote(id: string): void {
    for (const race of this.loading.get(id) ?? []) race.stale = true;
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
