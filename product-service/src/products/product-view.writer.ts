import { Injectable } from '@nestjs/common';
import { catalogRecordOf, PRODUCT_VIEW_TOPIC, ProductResponse, productViewKey } from '@shop/contracts';
import { EventPublisher } from '@shop/platform';

/**
 * Writes product.view, the changelog the gateway answers product reads from (see
 * libs/contracts/src/products/product-view.ts). Every write marks its key pending before
 * it touches the database and writes the new state after, before anyone is answered: a
 * gateway that has read every record written before a request never answers it with
 * a state older than a write that was acknowledged, and a write whose second record was
 * never written leaves its key pending, which the gateway reads from product-service.
 */
@Injectable()
export class ProductViewWriter {
  constructor(private readonly events: EventPublisher) {}

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
