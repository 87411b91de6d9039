import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  ERROR_CODES,
  EVENTS,
  OrderCancelledEvent,
  PATTERNS,
  ProductStockLowEvent,
  StockMovementMessage,
  StockMovementResult,
} from '@shop/contracts';
import { isDuplicateKey, RpcClient, ShopError, stockLowEvents } from '@shop/platform';
import { Model } from 'mongoose';
import { Product } from './schemas/product.schema';
import { MovementState, Stock, StockMovement } from './schemas/stock.schema';

const THRESHOLD_TTL_MS = 5000;

/**
 * Applies stock movements. Kafka delivers a product's movements to one consumer in
 * order (product.stock is keyed by productId), so there is one writer per product and
 * no transaction is needed:
 * 1. the movement is recorded under its natural key (a second copy cannot be inserted);
 * 2. the stock changes in one conditional write (`stock >= quantity`, so real MongoDB
 *    refuses an oversell even with two writers) that also sets `lastMovement`;
 * 3. the record is marked with the outcome.
 * A crash between 2 and 3 redelivers the movement, which finds `lastMovement` naming it
 * and only finishes step 3.
 */
@Injectable()
export class StockService {
  private readonly logger = new Logger(StockService.name);
  private readonly thresholds = new Map<string, { value: number; at: number }>();

  constructor(
    @InjectModel(Stock.name) private readonly stocks: Model<Stock>,
    @InjectModel(StockMovement.name) private readonly movements: Model<StockMovement>,
    @InjectModel(Product.name) private readonly products: Model<Product>,
    private readonly events: RpcClient,
  ) {}

  apply(movement: StockMovementMessage): Promise<StockMovementResult> {
    switch (movement.kind) {
      case 'reserve':
        return this.reserve(movement.productId, movement.orderId!, movement.quantity!);
      case 'release':
        return this.release(movement.productId, movement.orderId!);
      case 'adjust':
        return this.adjust(movement.productId, movement.movementId!, movement.delta!);
    }
  }

  async reserve(productId: string, orderId: string, quantity: number): Promise<StockMovementResult> {
    const key = reserveKey(orderId, productId);
    const { record, isNew } = await this.record(key, { productId, orderId, kind: 'reserve', quantity });
    if (!isNew) {
      // Delivered before: finish what that delivery started, or answer what it decided.
      const current = await this.current(productId);
      if (record.state === 'applied') return { productId, kind: 'reserve', applied: false, stock: current.stock };
      if (record.state === 'released') {
        throw insufficient(productId, quantity, current.stock, `The reservation of ${productId} for order ${orderId} was already released`);
      }
      if (current.lastMovement === key) return this.finish(key, 'applied', { productId, kind: 'reserve', applied: true, stock: current.stock });
    }

    const updated = await this.change(productId, key, -quantity, { stock: { $gte: quantity } });
    if (!updated) {
      await this.mark(key, 'refused');
      const current = await this.current(productId);
      throw insufficient(productId, quantity, current.stock, `Only ${current.stock} of ${productId} in stock, ${quantity} requested`);
    }
    this.logger.log({ productId, orderId, quantity, stock: updated.stock }, `Reserved ${quantity} of ${productId} for order ${orderId}`);
    await this.warnIfLow(productId, updated.stock + quantity, updated.stock);
    return this.finish(key, 'applied', { productId, kind: 'reserve', applied: true, stock: updated.stock });
  }

  /** Puts a reservation back once. Releasing what was never reserved leaves a marker, so a late reserve cannot take stock. */
  async release(productId: string, orderId: string): Promise<StockMovementResult> {
    const key = reserveKey(orderId, productId);
    const releaseKey = `release:${orderId}:${productId}`;
    const { record } = await this.record(key, { productId, orderId, kind: 'reserve', quantity: 0 }, 'released');
    const current = await this.current(productId);
    const unchanged: StockMovementResult = { productId, kind: 'release', applied: false, stock: current.stock };
    const tookStock = record.state === 'applied' || (record.state === 'pending' && current.lastMovement === key);
    if (!tookStock) return record.state === 'released' ? unchanged : this.finish(key, 'released', unchanged);
    if (current.lastMovement === releaseKey) return this.finish(key, 'released', { ...unchanged, applied: true });

    const updated = (await this.change(productId, releaseKey, record.quantity))!;
    this.logger.log({ productId, orderId, quantity: record.quantity, stock: updated.stock }, `Released ${record.quantity} of ${productId} from order ${orderId}`);
    return this.finish(key, 'released', { productId, kind: 'release', applied: true, stock: updated.stock });
  }

  /** Restock (delta >= 0) or write-off (delta < 0, never below zero), once per movement id. */
  async adjust(productId: string, movementId: string, delta: number): Promise<StockMovementResult> {
    const key = `adjust:${movementId}`;
    const { record } = await this.record(key, { productId, kind: 'adjust', quantity: delta });
    const current = await this.current(productId);
    if (record.state === 'applied') return { productId, kind: 'adjust', applied: false, stock: current.stock };
    if (current.lastMovement === key) return this.finish(key, 'applied', { productId, kind: 'adjust', applied: true, stock: current.stock });

    const totals = delta >= 0 ? { restocked: delta } : { writtenOff: -delta };
    const updated = await this.change(productId, key, delta, delta < 0 ? { stock: { $gte: -delta } } : {}, totals);
    if (!updated) {
      await this.mark(key, 'refused');
      throw insufficient(productId, -delta, current.stock, `Cannot write off ${-delta} of ${productId}: only ${current.stock} in stock`);
    }
    this.logger.log({ productId, movementId, delta, stock: updated.stock }, `Adjusted ${productId} by ${delta} to ${updated.stock}`);
    await this.warnIfLow(productId, current.stock, updated.stock);
    return this.finish(key, 'applied', { productId, kind: 'adjust', applied: true, stock: updated.stock });
  }

  /** order.cancelled: one release per item on the keyed stock topic (idempotent there). */
  async releaseCancelledOrder(event: OrderCancelledEvent): Promise<void> {
    await Promise.all(
      event.items.map((item) =>
        this.events.emit(PATTERNS.PRODUCT_STOCK, item.productId, { kind: 'release', productId: item.productId, orderId: event.orderId, reason: 'order cancelled' }),
      ),
    );
    this.logger.log({ orderId: event.orderId, items: event.items.length }, `Queued stock release for cancelled order ${event.orderId}`);
  }

  /** Inserts the movement's record, or finds the one a previous delivery inserted. */
  private async record(key: string, fields: Omit<StockMovement, '_id' | 'state'>, state: MovementState = 'pending'): Promise<{ record: StockMovement; isNew: boolean }> {
    try {
      return { record: (await this.movements.create({ _id: key, ...fields, state })).toObject(), isNew: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      return { record: (await this.movements.findById(key).lean<StockMovement>().exec())!, isNew: false };
    }
  }

  private async mark(key: string, state: MovementState): Promise<void> {
    await this.movements.updateOne({ _id: key }, { $set: { state } }).exec();
  }

  private async finish(key: string, state: MovementState, result: StockMovementResult): Promise<StockMovementResult> {
    await this.mark(key, state);
    return result;
  }

  /** The one write that changes stock: conditional, and naming the movement that made it. */
  private change(productId: string, key: string, delta: number, guard: object = {}, totals: object = {}) {
    return this.stocks
      .findOneAndUpdate({ _id: productId, ...guard }, { $inc: { stock: delta, ...totals }, $set: { lastMovement: key } }, { new: true })
      .lean<Stock>()
      .exec();
  }

  private async current(productId: string): Promise<Stock> {
    const stock = await this.stocks.findById(productId).lean<Stock>().exec();
    if (!stock) throw ShopError.notFound(ERROR_CODES.PRODUCT_NOT_FOUND, 'Product', productId);
    return stock;
  }

  /** product.stock-low when a movement takes stock from at or above the threshold to below it. */
  private async warnIfLow(productId: string, before: number, after: number): Promise<void> {
    if (after >= before) return;
    const threshold = await this.thresholdOf(productId);
    if (threshold === undefined || !(before >= threshold && after < threshold)) return;
    const event: ProductStockLowEvent = { productId, stock: after, lowStockThreshold: threshold };
    await this.events.emit(EVENTS.PRODUCT_STOCK_LOW, productId, event);
    stockLowEvents.inc();
    this.logger.warn({ productId, stock: after, threshold }, `Stock of ${productId} fell below ${threshold}: ${after} left`);
  }

  /**
   * The catalog's low-stock threshold, read at most every THRESHOLD_TTL_MS per product:
   * it is read on every decrease, and kept out of the stock document so that a catalog
   * edit never writes there (only the partition's consumer does).
   */
  private async thresholdOf(productId: string): Promise<number | undefined> {
    const cached = this.thresholds.get(productId);
    if (cached && Date.now() - cached.at < THRESHOLD_TTL_MS) return cached.value;
    const product = await this.products.findById(productId, { lowStockThreshold: 1 }).lean<{ lowStockThreshold: number }>().exec();
    if (!product) return undefined;
    this.thresholds.set(productId, { value: product.lowStockThreshold, at: Date.now() });
    return product.lowStockThreshold;
  }
}

function reserveKey(orderId: string, productId: string): string {
  return `reserve:${orderId}:${productId}`;
}

function insufficient(productId: string, requested: number, available: number, message: string): ShopError {
  return new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, message, { productId, requested, available });
}
