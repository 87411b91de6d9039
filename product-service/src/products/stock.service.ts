import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  ERROR_CODES,
  EVENTS,
  OrderCancelledEvent,
  RPC,
  ProductStockLowEvent,
  stockMovement,
  StockMovementMessage,
  StockMovementResult,
} from '@shop/contracts';
import { EventPublisher, isDuplicateKey, requestContext, RpcClient, ShopError } from '@shop/platform';
import { Model } from 'mongoose';
import { stockLowEvents } from './metrics';
import { ProductViewWriter } from './product-view.writer';
import { ProductCache } from './product.cache';
import { ProductsService } from './products.service';
import { Stock, StockMovement } from './schemas/stock.schema';

/**
 * Applies stock movements. Kafka delivers a product's movements to one consumer in
 * order (product.stock is keyed by productId), so there is one writer per product and
 * no transaction is needed:
 * 1. a movement already recorded under its natural key (`reserve:<order>:<product>`,
 *    `release:<order>:<product>`, `adjust:<movement>`) answers what it did then;
 * 2. the stock changes in one conditional write (`stock >= quantity`, so real MongoDB
 *    refuses an oversell even with two writers) that also names the movement in
 *    `lastMovement`;
 * 3. the movement is recorded (an insert: it cannot be recorded twice).
 * A crash between 2 and 3 redelivers the movement, which finds `lastMovement` naming
 * it and only records it, even when it comes after its caller stopped waiting (a late
 * reserve takes nothing otherwise). Records are only ever inserted: FerretDB v1 rewrites by
 * scanning, so an update costs more the larger the collection (26 ms at 8,000
 * documents, measured), while an insert or a read by _id does not.
 */
@Injectable()
export class StockService {
  private readonly logger = new Logger(StockService.name);
  /** The product.view record of the stock a movement under way left, sent as soon as the stock changed (a product's movements come one at a time). */
  private readonly viewSends = new Map<string, { stock: number; written: Promise<void> }>();

  constructor(
    @InjectModel(Stock.name) private readonly stocks: Model<Stock>,
    @InjectModel(StockMovement.name) private readonly movements: Model<StockMovement>,
    private readonly events: EventPublisher,
    private readonly rpc: RpcClient,
    private readonly cache: ProductCache,
    private readonly view: ProductViewWriter,
    private readonly catalog: ProductsService,
  ) {}

  /**
   * Applies a movement and tells the product cache and product.view the stock it left,
   * before anyone is answered. When the stock may have changed but its record could not
   * be written, the record is written again from the database until the broker takes it
   * (`settleView`); a crash before that leaves the request uncommitted, and its redelivery
   * writes it.
   */
  apply(movement: StockMovementMessage): Promise<StockMovementResult> {
    return this.view.during(movement.productId, () => this.applyAndTell(movement));
  }

  private async applyAndTell(movement: StockMovementMessage): Promise<StockMovementResult> {
    const { productId } = movement;
    try {
      const result = await this.move(movement);
      this.cache.stockChanged(productId, result.stock);
      // Usually sent by `change` already, while the movement recorded itself.
      const sent = this.viewSends.get(productId);
      await (sent?.stock === result.stock ? sent.written : this.view.stock(productId, result.stock));
      return result;
    } catch (error) {
      // A refusal changed nothing; any other failure may have come after the stock changed.
      if (error instanceof ShopError && error.statusCode < 500) throw error;
      this.cache.forget(productId);
      await this.settleView(productId, { inMovement: true });
      throw error;
    } finally {
      this.viewSends.delete(productId);
    }
  }

  /**
   * Writes the stock of `productId` as the database has it to product.view: from within
   * the movement that failed, then (if that fails too) every few seconds while the database
   * or the broker refuses, unless a movement of it ran meanwhile (which writes its own).
   */
  private async settleView(productId: string, { inMovement = false, attempt = 0 } = {}): Promise<void> {
    const quiet = inMovement ? () => true : this.view.quietSince(productId);
    try {
      const current = await this.stocks.findById(productId, { stock: 1 }).lean<{ stock: number }>().exec();
      if (!quiet()) return;
      await (current ? this.view.stock(productId, current.stock) : this.view.deleted(productId));
    } catch (error) {
      const delayMs = Math.min(30_000, 1000 * 2 ** attempt);
      this.logger.warn({ err: error, productId }, `product.view may hold an old stock of ${productId}; writing it again in ${delayMs / 1000} s`);
      setTimeout(() => void this.settleView(productId, { attempt: attempt + 1 }), delayMs).unref();
    }
  }

  private move(movement: StockMovementMessage): Promise<StockMovementResult> {
    switch (movement.kind) {
      case 'reserve':
        if (requestContext.isLate()) return this.lateReserve(movement.productId, movement.orderId!);
        return this.reserve(movement.productId, movement.orderId!, movement.quantity!);
      case 'adjust':
        // Late (its caller answered 504): skipped, as every late request is (releases are never late).
        if (requestContext.isLate()) return this.unchanged(movement.productId, 'adjust');
        return this.adjust(movement.productId, movement.movementId!, movement.delta!);
      case 'release':
        return this.release(movement.productId, movement.orderId!);
    }
  }

  /**
   * Takes `quantity` for the order, once, and answers the product's name and unit price
   * with it, which the order copies (the saga asks nothing else about its products). This
   * replica owns the product, so the catalog comes from its memory (ProductCache) after the
   * first read. It is read before the stock is taken: a product that does not exist is
   * refused (404) having changed nothing.
   */
  async reserve(productId: string, orderId: string, quantity: number): Promise<StockMovementResult> {
    const product = await this.catalog.get(productId);
    const result = await this.take(productId, orderId, quantity);
    return { ...result, name: product.name, unitPriceCents: product.priceCents };
  }

  /**
   * A reserve that came after its caller stopped waiting takes nothing: the order was
   * answered 504 or abandoned, and its release follows. Unless a delivery of it took the
   * stock and crashed before recording itself (its redelivery is this one, and no later
   * movement of the product can have come between): then it is recorded now, so that the
   * release finds what to put back. Skipped unseen, it would leave the unit taken for good.
   */
  private async lateReserve(productId: string, orderId: string): Promise<StockMovementResult> {
    const key = movementKey('reserve', orderId, productId);
    const current = await this.current(productId);
    if (current.lastMovement === key && !(await this.recorded(key))) {
      await this.record(key, { productId, orderId, kind: 'reserve', quantity: current.lastQuantity! });
      this.logger.warn({ productId, orderId, quantity: current.lastQuantity }, `Recorded the reserve of ${productId} for order ${orderId} that a crashed delivery applied; its release will put it back`);
    }
    return { productId, kind: 'reserve', applied: false, stock: current.stock };
  }

  private async take(productId: string, orderId: string, quantity: number): Promise<StockMovementResult> {
    const key = movementKey('reserve', orderId, productId);
    const [reserved, released] = await Promise.all([this.recorded(key), this.recorded(movementKey('release', orderId, productId))]);
    if (reserved) return this.unchanged(productId, 'reserve');
    if (released) {
      const current = await this.current(productId);
      throw insufficient(productId, quantity, current.stock, `The reservation of ${productId} for order ${orderId} was already released`);
    }
    const updated = await this.change(productId, key, -quantity, { stock: { $gte: quantity } });
    const stock = updated?.stock ?? (await this.changedBefore(productId, key, (current) =>
      insufficient(productId, quantity, current.stock, `Only ${current.stock} of ${productId} in stock, ${quantity} requested`),
    ));
    await this.record(key, { productId, orderId, kind: 'reserve', quantity });
    this.logger.log({ productId, orderId, quantity, stock }, `Reserved ${quantity} of ${productId} for order ${orderId}`);
    if (updated) await this.warnIfLow(productId, stock + quantity, stock);
    return { productId, kind: 'reserve', applied: true, stock };
  }

  /** Puts a reservation back once. Releasing what was never reserved is recorded too, so a late reserve cannot take stock. */
  async release(productId: string, orderId: string): Promise<StockMovementResult> {
    const reserveKey = movementKey('reserve', orderId, productId);
    const key = movementKey('release', orderId, productId);
    const [reserved, released] = await Promise.all([this.recorded(reserveKey), this.recorded(key)]);
    if (released) return this.unchanged(productId, 'release');
    let quantity = reserved?.quantity;
    if (quantity === undefined) {
      // A reserve that changed the stock and crashed before recording itself.
      const current = await this.current(productId);
      if (current.lastMovement === reserveKey) quantity = current.lastQuantity;
    }
    if (!quantity) {
      await this.record(key, { productId, orderId, kind: 'release', quantity: 0 });
      return this.unchanged(productId, 'release');
    }
    const updated = await this.change(productId, key, quantity);
    const stock = updated?.stock ?? (await this.changedBefore(productId, key, () => new Error(`Release of ${productId} for ${orderId} matched no stock document`)));
    await this.record(key, { productId, orderId, kind: 'release', quantity });
    this.logger.log({ productId, orderId, quantity, stock }, `Released ${quantity} of ${productId} from order ${orderId}`);
    return { productId, kind: 'release', applied: true, stock };
  }

  /** Restock (delta >= 0) or write-off (delta < 0, never below zero), once per movement id. */
  async adjust(productId: string, movementId: string, delta: number): Promise<StockMovementResult> {
    const key = `adjust:${movementId}`;
    if (await this.recorded(key)) return this.unchanged(productId, 'adjust');
    const totals = delta >= 0 ? { restocked: delta } : { writtenOff: -delta };
    const updated = await this.change(productId, key, delta, delta < 0 ? { stock: { $gte: -delta } } : {}, totals);
    const stock = updated?.stock ?? (await this.changedBefore(productId, key, (current) =>
      insufficient(productId, -delta, current.stock, `Cannot write off ${-delta} of ${productId}: only ${current.stock} in stock`),
    ));
    await this.record(key, { productId, kind: 'adjust', quantity: delta });
    this.logger.log({ productId, movementId, delta, stock }, `Adjusted ${productId} by ${delta} to ${stock}`);
    if (updated) await this.warnIfLow(productId, stock - delta, stock);
    return { productId, kind: 'adjust', applied: true, stock };
  }

  /** order.cancelled: one release per item, as a command on the keyed stock topic (idempotent there), so its product's consumer applies it. */
  async releaseCancelledOrder(event: OrderCancelledEvent): Promise<void> {
    await Promise.all(event.items.map((item) => this.rpc.command(RPC.PRODUCT_STOCK, stockMovement.release(event.orderId, item.productId, 'order cancelled'))));
    this.logger.log({ orderId: event.orderId, items: event.items.length }, `Queued stock release for cancelled order ${event.orderId}`);
  }

  private recorded(key: string): Promise<StockMovement | null> {
    return this.movements.findById(key).lean<StockMovement>().exec();
  }

  /** Records a movement; a second delivery finds it already there, which is fine. */
  private async record(key: string, fields: Omit<StockMovement, '_id'>): Promise<void> {
    try {
      await this.movements.create({ _id: key, ...fields });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  private async unchanged(productId: string, kind: StockMovementResult['kind']): Promise<StockMovementResult> {
    return { productId, kind, applied: false, stock: (await this.current(productId)).stock };
  }

  /**
   * The one write that changes stock: conditional, naming the movement that made it,
   * and refusing to apply the same movement twice in a row.
   */
  private async change(productId: string, key: string, delta: number, guard: object = {}, totals: object = {}) {
    const updated = await this.stocks
      .findOneAndUpdate(
        { _id: productId, lastMovement: { $ne: key }, ...guard },
        { $inc: { stock: delta, ...totals }, $set: { lastMovement: key, lastQuantity: Math.abs(delta) } },
        { new: true },
      )
      .lean<Stock>()
      .exec();
    if (updated) {
      // The new stock goes to product.view while the movement records itself (apply awaits it).
      const written = this.view.stock(productId, updated.stock);
      written.catch(() => undefined);
      this.viewSends.set(productId, { stock: updated.stock, written });
    }
    return updated;
  }

  /**
   * The conditional write matched nothing: either this movement changed the stock in a
   * delivery that crashed before recording it (answer the stock as it is), or the
   * condition refused it (throw what `refusal` makes).
   */
  private async changedBefore(productId: string, key: string, refusal: (current: Stock) => Error): Promise<number> {
    const current = await this.current(productId);
    if (current.lastMovement !== key) throw refusal(current);
    return current.stock;
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
    await this.events.publish(EVENTS.PRODUCT_STOCK_LOW, event);
    stockLowEvents.inc();
    this.logger.warn({ productId, stock: after, threshold }, `Stock of ${productId} fell below ${threshold}: ${after} left`);
  }

  /**
   * The catalog's low-stock threshold, read on every decrease: from this replica's memory,
   * which its own catalog edits keep current (the product is this replica's, as its stock
   * movement is). Kept out of the stock document, so that a catalog edit never writes there.
   */
  private async thresholdOf(productId: string): Promise<number | undefined> {
    try {
      return (await this.catalog.get(productId)).lowStockThreshold;
    } catch (error) {
      if (error instanceof ShopError && error.code === ERROR_CODES.PRODUCT_NOT_FOUND) return undefined;
      throw error;
    }
  }
}

function insufficient(productId: string, requested: number, available: number, message: string): ShopError {
  return new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, message, { productId, requested, available });
}

/** The natural key an order's reserve or release of a product is recorded under (and named by in `lastMovement`). */
function movementKey(kind: 'reserve' | 'release', orderId: string, productId: string): string {
  return `${kind}:${orderId}:${productId}`;
}
