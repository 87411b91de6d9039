import { Injectable } from '@nestjs/common';
import { ProductResponse } from '@shop/contracts';
import { KafkaServerRef, OwnedCache } from '@shop/platform';

/**
 * The products this replica owns, as product.get answers them (OwnedCache): product.get,
 * product.update, product.delete and every stock movement are keyed by the product id, so
 * this replica's own writes are the only writes of its products. A reserve reads the
 * catalog from here too.
 */
@Injectable()
export class ProductCache extends OwnedCache<ProductResponse> {
  constructor(server: KafkaServerRef) {
    super(server);
  }

  /**
   * A catalog write of `product`. Its stock is what the write read, which a stock movement
   * handled meanwhile (another topic, handled side by side) may have changed since: the
   * cached stock, kept up to date by every movement, stays.
   */
  written(product: ProductResponse): void {
    this.wrote(product.id, (held) => ({ ...product, stock: held.stock }));
  }

  /** A stock movement applied to `id`. */
  stockChanged(id: string, stock: number): void {
    this.wrote(id, (held) => ({ ...held, stock }));
  }
}
