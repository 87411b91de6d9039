import { KafkaServerRef } from '../health/kafka.health';

const MAX_ENTRIES = 10_000;

/**
 * What a replica has read of the records it owns, so that reading them again does not wait
 * on the database: a keyed state store. Every request about one record (its reads, its
 * writes) is keyed by its id and reaches the one replica that owns the id's partition
 * (CoPartitionedAssigner), so this replica's own writes are the only writes of it: it
 * applies each to the entry (`wrote`) before it answers, and the next read sees it
 * (read-your-writes, whatever the number of replicas). When the group rebalances, the
 * partitions it owns, and so whose writes it sees, may change: it starts empty again. At
 * most 10,000 entries are kept, the oldest first out.
 */
export class OwnedCache<T> {
  private readonly entries = new Map<string, T>();
  /** The rebalance the entries belong to. */
  private generation = -1;
  /**
   * The reads of each record waiting on the database, each marked stale when a write of
   * that record lands meanwhile: what it read may predate the write, so it is not kept.
   * Per record: with any record's writes counted, a replica under an order load (a write
   * every few milliseconds) kept almost nothing it read.
   */
  private readonly loading = new Map<string, { stale: boolean }[]>();

  constructor(private readonly server: KafkaServerRef) {}

  /**
   * Reads through the cache: `load` reads the database on a miss. What it read is kept
   * only when no write of the record, and no rebalance, happened meanwhile.
   */
  async read(id: string, load: () => Promise<T>): Promise<T> {
    const cached = this.get(id);
    if (cached !== undefined) return cached;
    const race = { stale: false };
    const generationBefore = this.server.generation;
    this.loading.set(id, [...(this.loading.get(id) ?? []), race]);
    try {
      const loaded = await load();
      if (!race.stale && this.server.generation === generationBefore) this.keep(id, loaded);
      return loaded;
    } finally {
      const left = this.loading.get(id)!.filter((r) => r !== race);
      if (left.length > 0) this.loading.set(id, left);
      else this.loading.delete(id);
    }
  }

  /** The entry held for `id`, without reading the database: what the database holds, as of this replica's last write of it. */
  held(id: string): T | undefined {
    return this.get(id);
  }

  /** This replica wrote record `id`: `next` makes the entry it left from the one held, if one is held. */
  wrote(id: string, next: (held: T) => T): void {
    this.markReadsStale(id);
    const held = this.get(id);
    if (held !== undefined) this.entries.set(id, next(held));
  }

  /** Record `id` was deleted, or a write of it failed halfway (what the database holds is not known here). */
  forget(id: string): void {
    this.markReadsStale(id);
    this.entries.delete(id);
  }

  /** The reads of `id` waiting on the database may predate the write that lands now: none of them is kept. */
  private markReadsStale(id: string): void {
    for (const race of this.loading.get(id) ?? []) race.stale = true;
  }

  private get(id: string): T | undefined {
    this.forgetAfterRebalance();
    return this.entries.get(id);
  }

  private keep(id: string, value: T): void {
    this.forgetAfterRebalance();
    if (this.entries.size >= MAX_ENTRIES && !this.entries.has(id)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(id, value);
  }

  private forgetAfterRebalance(): void {
    if (this.generation === this.server.generation) return;
    this.entries.clear();
    this.generation = this.server.generation;
  }
}
