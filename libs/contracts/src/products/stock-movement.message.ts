import { randomUUID } from 'node:crypto';
import { IsIn, IsInt, IsMongoId, IsString, IsUUID, Max, Min, ValidateIf } from 'class-validator';
import { MAX_STOCK } from './create-product.request';
import { IsOmittable } from '../common/omittable';

export const STOCK_MOVEMENTS = ['reserve', 'release', 'adjust'] as const;
export type StockMovementKind = (typeof STOCK_MOVEMENTS)[number];

/**
 * A message on product.stock, keyed by productId. `reserve` and `release` are
 * idempotent per (orderId, productId); `adjust` (restock or write-off) per movementId.
 */
export class StockMovementMessage {
  @IsIn(STOCK_MOVEMENTS)
  kind!: StockMovementKind;

  @IsMongoId()
  productId!: string;

  @ValidateIf((m: StockMovementMessage) => m.kind !== 'adjust')
  @IsMongoId()
  orderId?: string;

  @ValidateIf((m: StockMovementMessage) => m.kind === 'reserve')
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK)
  quantity?: number;

  @ValidateIf((m: StockMovementMessage) => m.kind === 'adjust')
  @IsInt()
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  delta?: number;

  @ValidateIf((m: StockMovementMessage) => m.kind === 'adjust')
  @IsUUID()
  movementId?: string;

  @IsOmittable()
  @IsString()
  reason?: string;
}

/** What product.stock answers. */
export interface StockMovementResult {
  productId: string;
  kind: StockMovementKind;
  /** false when the movement had already been applied (a redelivery or retry). */
  applied: boolean;
  stock: number;
  /**
   * A reserve's answer also names the product and its unit price as the catalog has them,
   * which the order copies: the saga asks for nothing else about its products. Absent from
   * a product-service older than 2026-12-02 (the saga then asks product.get-many).
   */
  name?: string;
  unitPriceCents?: number;
}

/**
 * The stock commands, as every sender builds them. Each names its product, which the
 * product.stock contract makes the message key, so a product's movements stay in order.
 */
export const stockMovement = {
  /** Takes `quantity` for the order, once per (order, product). */
  reserve: (orderId: string, item: { productId: string; quantity: number }): StockMovementMessage => ({ kind: 'reserve', orderId, productId: item.productId, quantity: item.quantity }),
  /** Puts the order's reservation back, once per (order, product). */
  release: (orderId: string, productId: string, reason?: string): StockMovementMessage => ({ kind: 'release', orderId, productId, ...(reason && { reason }) }),
  /** Restock (delta > 0) or write-off (delta < 0), once per movement. */
  adjust: (productId: string, delta: number): StockMovementMessage => ({ kind: 'adjust', productId, delta, movementId: randomUUID() }),
};
