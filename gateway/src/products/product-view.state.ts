import { ProductCatalogRecord, ProductResponse, productViewKey } from '@shop/contracts';

const PENDING = 'pending';

/**
 * The heap a gateway gives its view at most: 40 MB of the 160 MB old space the apps run
 * with, about 70,000 products of a typical size (weighed at 0.6 KB; 0.45 KB measured) or
 * 9,000 with 2,000-character descriptions. The whole catalogue is read from the beginning
 * at every start, so a bigger one would otherwise fill the heap and stop the gateway.
 */
export const PRODUCT_VIEW_MAX_BYTES = 40 * 1024 * 1024;

/** What a product costs the heap besides its catalog record's strings: its map entries, its stock. */
const ENTRY_BYTES = 150;

/** The heap a product costs, from its catalog record as written (V8 holds its one-byte strings and the object's fields: about twice the JSON). */
export function heldBytes(catalogJson?: string): number {
  return ENTRY_BYTES + 2 * (catalogJson?.length ?? 0);
}

/**
 * The products as product.view holds them: each key's last record, applied in the
 * order the partition holds them. A product is answered from here only when both its
 * catalog fields and its stock are known and neither is pending. Beyond `maxBytes` the
 * least recently read or written products are dropped: reads of one ask product-service
 * (the view no longer knows it) until both its records come again, at its next catalog
 * write.
 */
export class ProductViewState {
  private readonly catalog = new Map<string, ProductCatalogRecord | typeof PENDING>();
  private readonly stock = new Map<string, number | typeof PENDING>();
  /** Every id held with the heap it costs, least recently read or written first (a Map keeps insertion order). */
  private readonly held = new Map<string, number>();
  private bytes = 0;
  /** Products dropped for room since the start. */
  dropped = 0;

  constructor(private readonly maxBytes = PRODUCT_VIEW_MAX_BYTES) {}

  /** Applies one record; false when it is not one this version understands (it is skipped). */
  apply(key: string, value: string | null): boolean {
    const target = productViewKey.parse(key);
    if (!target) return false;
    const map: Map<string, unknown> = target.part === 'catalog' ? this.catalog : this.stock;
    if (value === null) {
      map.delete(target.id);
      if (!this.holds(target.id)) this.release(target.id);
      return true;
    }
    let record: { id?: unknown; pending?: unknown; stock?: unknown; name?: unknown };
    try {
      record = JSON.parse(value);
    } catch {
      return false;
    }
    if (record === null || typeof record !== 'object' || record.id !== target.id) return false;
    if (record.pending === true) map.set(target.id, PENDING);
    else if (target.part === 'stock' && typeof record.stock === 'number') this.stock.set(target.id, record.stock);
    else if (target.part === 'catalog' && typeof record.name === 'string') this.catalog.set(target.id, record as ProductCatalogRecord);
    else return false;
    this.touch(target.id, target.part === 'catalog' ? heldBytes(value) : undefined);
    return true;
  }

  /** The product as GET /api/products/:id answers it, or undefined when this view cannot say. */
  get(id: string): ProductResponse | undefined {
    const catalog = this.catalog.get(id);
    const stock = this.stock.get(id);
    if (catalog === undefined || catalog === PENDING || stock === undefined || stock === PENDING) return undefined;
    const { description, ...rest } = catalog;
    // The field order product-service answers with: stock after the price.
    const product: ProductResponse = { id, name: rest.name, priceCents: rest.priceCents, stock, lowStockThreshold: rest.lowStockThreshold, createdAt: rest.createdAt, updatedAt: rest.updatedAt };
    if (description !== undefined) product.description = description;
    this.touch(id);
    return product;
  }

  /**
   * Whether both parts of `id` have been read (either may be pending): a read of it may be
   * answered once the view catches up. With one part only (a product dropped for room whose
   * stock moved since, one whose other record is on its way) the view cannot answer.
   */
  knows(id: string): boolean {
    return this.catalog.has(id) && this.stock.has(id);
  }

  /** Whether any record of `id` is held (its room is taken). */
  private holds(id: string): boolean {
    return this.catalog.has(id) || this.stock.has(id);
  }

  clear(): void {
    this.catalog.clear();
    this.stock.clear();
    this.held.clear();
    this.bytes = 0;
  }

  /**
   * `id` becomes the most recently used (costing `bytes` from now, when given); the least
   * recently used go while the view holds more than `maxBytes`.
   */
  private touch(id: string, bytes?: number): void {
    const before = this.held.get(id);
    const now = bytes ?? before ?? heldBytes();
    this.held.delete(id);
    this.held.set(id, now);
    this.bytes += now - (before ?? 0);
    while (this.bytes > this.maxBytes && this.held.size > 1) {
      const oldest = this.held.keys().next().value as string;
      this.catalog.delete(oldest);
      this.stock.delete(oldest);
      this.release(oldest);
      this.dropped++;
    }
  }

  private release(id: string): void {
    this.bytes -= this.held.get(id) ?? 0;
    this.held.delete(id);
  }

  get size(): number {
    return this.catalog.size;
  }
}

/**
 * Waits until the view has read every record that was in the topic when the wait began:
 * one ListOffsets round trip (`endOffsets`) asked after the caller arrived, shared by
 * every caller that arrives before it is asked, then until the consumer's position in
 * each partition reaches that end. A caller that arrives once a round trip has been asked
 * takes the next one (the broker may have answered the one on its way before the caller
 * arrived, and a write acknowledged just before could be missing from it).
 */
export class CatchUp {
  private readonly positions = new Map<number, number>();
  /** Callers that have their ends and wait for the positions to reach them. */
  private readonly waiters = new Set<{ ends: Map<number, number>; done: (reached: boolean) => void }>();
  private inFlight?: Promise<Map<number, number>>;
  private next?: Promise<Map<number, number>>;
  /** Whether the round trip in flight has been asked (a caller that arrives before may share it). */
  private sent = false;

  constructor(
    private readonly endOffsets: () => Promise<Map<number, number>>,
    private readonly timeoutMs: number,
  ) {}

  /** Every record of `partition` before offset `next` has been applied. */
  advance(partition: number, next: number): void {
    if (next <= (this.positions.get(partition) ?? 0)) return;
    this.positions.set(partition, next);
    for (const waiter of this.waiters) if (this.reached(waiter.ends)) waiter.done(true);
  }

  /** The consumer starts over from the beginning (it joined its group again): nothing is read. */
  reset(): void {
    this.positions.clear();
  }

  /**
   * True once the view holds every record written before this call; false when the broker
   * does not say where the topic ends, or the view does not get there, within the timeout.
   */
  async caughtUp(): Promise<boolean> {
    let ends: Map<number, number>;
    try {
      ends = await this.round();
    } catch {
      return false;
    }
    if (this.reached(ends)) return true;
    return new Promise<boolean>((resolve) => {
      const waiter = {
        ends,
        done: (reached: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), this.timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private round(): Promise<Map<number, number>> {
    if (!this.inFlight || !this.sent) return this.inFlight ?? this.start();
    this.next ??= this.inFlight
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.inFlight ?? this.start();
      });
    return this.next;
  }

  /** A round trip asked once the callers of this turn of the event loop have arrived (they share it). */
  private start(): Promise<Map<number, number>> {
    this.sent = false;
    const round = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        this.sent = true;
        return this.withinTimeout(this.endOffsets());
      })
      .finally(() => {
        if (this.inFlight === round) this.inFlight = undefined;
      });
    this.inFlight = round;
    return round;
  }

  /** The broker's answer, or a rejection once the timeout passes without one. */
  private withinTimeout<T>(answer: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no end offsets within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    return Promise.race([answer, late]).finally(() => clearTimeout(timer));
  }

  private reached(ends: Map<number, number>): boolean {
    for (const [partition, end] of ends) if ((this.positions.get(partition) ?? 0) < end) return false;
    return true;
  }
}
