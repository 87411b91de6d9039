import { ProductResponse } from './product.response';

/**
 * product.view: the changelog of every product, which the gateway reads into memory to
 * answer GET /api/products/:id without a round trip to product-service. Compacted: the
 * last record of each key is the current state, so a gateway that starts reads it all.
 *
 * A product has two keys, because its catalog fields and its stock are written by two
 * streams of requests that product-service handles side by side (product.update and
 * product.stock), each in order per product: `catalog:<id>` holds the catalog fields,
 * `stock:<id>` the stock. A catalog edit or a delete marks its keys `pending` before it
 * changes the database and writes the new state after, so one whose second record is
 * lost (a broker that went away in between) leaves keys the gateway does not answer from;
 * a stock movement writes the stock it left (product-service writes it again until the
 * broker takes it). A delete leaves a tombstone (a null value) on both keys.
 */
export const PRODUCT_VIEW_TOPIC = 'product.view';

/** The catalog fields: a product read without its stock. */
export type ProductCatalogRecord = Omit<ProductResponse, 'stock'>;

export interface ProductStockRecord {
  id: string;
  stock: number;
}

/** A key whose state is being changed: read it from product-service until the next record. */
export interface PendingRecord {
  id: string;
  pending: true;
}

export type ProductViewRecord = ProductCatalogRecord | ProductStockRecord | PendingRecord;

export const productViewKey = {
  catalog: (id: string) => `catalog:${id}`,
  stock: (id: string) => `stock:${id}`,
  /** The part and the product id a key names, or undefined for a key this version does not know. */
  parse(key: string): { part: 'catalog' | 'stock'; id: string } | undefined {
    const colon = key.indexOf(':');
    const part = key.slice(0, colon);
    if (colon < 0 || (part !== 'catalog' && part !== 'stock')) return undefined;
    return { part, id: key.slice(colon + 1) };
  },
};

/** The catalog record of a product as product-service answers it. */
export function catalogRecordOf(product: ProductResponse): ProductCatalogRecord {
  const { stock: _stock, ...catalog } = product;
  return catalog;
}
