import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ERROR_CODES, EVENTS, ListOrdersRequest, OrderCancelledEvent, OrderResponse, Page, PlaceOrderMessage } from '@shop/contracts';
import { isDuplicateKey, ordersTotal, RpcClient, ShopError } from '@shop/platform';
import { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { OrderSaga } from './order.saga';
import { Order, OrderRecord } from './schemas/order.schema';

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectModel(Order.name) private readonly orders: Model<Order>,
    private readonly saga: OrderSaga,
    private readonly rpc: RpcClient,
  ) {}

  /**
   * Runs the saga for the order id the gateway chose and stores the outcome. The same
   * id again (a retry, the same Idempotency-Key) answers the stored outcome and moves no
   * stock: order.create is keyed by order id, so duplicates queue behind the first on
   * one partition, and reservations are idempotent per order. A synchronous order is
   * written once, decided (FerretDB updates cost more the larger the collection; inserts
   * do not); an asynchronous one is stored pending first, so GET can show it meanwhile.
   */
  async place(command: PlaceOrderMessage): Promise<OrderResponse> {
    const existing = await this.orders.findById(command.orderId).lean<OrderRecord>().exec();
    if (existing && existing.status !== 'pending') return this.replay(existing, command);
    if (existing) this.mustBeSameRequest(existing, command);
    let pending = Boolean(existing); // a pending order seen again (a redelivery) runs its saga again
    if (!pending && command.async) {
      try {
        await this.orders.create({ ...this.draft(command), status: 'pending' });
        pending = true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return this.replay((await this.orders.findById(command.orderId).lean<OrderRecord>().exec())!, command);
      }
    }

    let outcome: Pick<Order, 'status' | 'items' | 'totalCents' | 'rejection'>;
    let failure: ShopError | undefined;
    try {
      const lines = await this.saga.reserve(command.orderId, command.userId, command.items);
      outcome = { status: 'confirmed', items: lines, totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents!, 0) };
    } catch (error) {
      failure = error instanceof ShopError ? error : new ShopError(500, ERROR_CODES.INTERNAL_ERROR, 'Internal server error');
      if (!(error instanceof ShopError)) this.logger.error({ err: error, orderId: command.orderId }, `Order ${command.orderId} failed`);
      outcome = { status: 'rejected', items: command.items, totalCents: 0, rejection: failure.toWire() };
    }

    let order: OrderRecord;
    if (pending) {
      order = (await this.orders.findOneAndUpdate({ _id: command.orderId, status: 'pending' }, { $set: outcome }, { new: true }).lean<OrderRecord>().exec()) ?? (await this.find(command.orderId));
    } else {
      try {
        order = (await this.orders.create({ ...this.draft(command), ...outcome })).toObject() as OrderRecord;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return this.replay(await this.find(command.orderId), command);
      }
    }
    ordersTotal.inc({ status: order.status });
    if (failure) {
      this.logger.log({ orderId: command.orderId, code: failure.code }, `Rejected order ${command.orderId}: ${failure.message}`);
      if (!command.async) throw failure;
      return toOrderResponse(order);
    }
    const response = toOrderResponse(order);
    await this.rpc.emit(EVENTS.ORDER_CREATED, response.id, response);
    this.logger.log({ orderId: response.id, userId: command.userId, totalCents: response.totalCents }, `Confirmed order ${response.id} for ${response.totalCents} cents`);
    return response;
  }

  async list(request: ListOrdersRequest): Promise<Page<OrderResponse>> {
    const filter = request.userId ? { userId: request.userId } : {};
    const [docs, total] = await Promise.all([
      this.orders.find(filter).sort({ createdAt: 1, _id: 1 }).skip(request.offset).limit(request.limit).lean<OrderRecord[]>().exec(),
      this.orders.countDocuments(filter).exec(),
    ]);
    return { items: docs.map(toOrderResponse), total, limit: request.limit, offset: request.offset };
  }

  async get(id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.find(id));
  }

  /**
   * Confirmed -> cancelled, then order.cancelled (product-service puts the stock back,
   * once per order and product however often the event arrives). Cancelling a
   * cancelled order answers it again; an order whose event was never published
   * (a crash in between) publishes it now.
   */
  async cancel(id: string, reason: string): Promise<OrderResponse> {
    let order = await this.find(id);
    if (order.status === 'confirmed') {
      order = (await this.orders
        .findOneAndUpdate({ _id: id, status: 'confirmed' }, { $set: { status: 'cancelled' } }, { new: true })
        .lean<OrderRecord>()
        .exec()) ?? (await this.find(id));
    }
    if (order.status !== 'cancelled') {
      throw new ShopError(409, ERROR_CODES.ORDER_NOT_CANCELLABLE, `Order ${id} is ${order.status} and cannot be cancelled`, { status: order.status });
    }
    if (!order.cancelEventId) {
      const event: OrderCancelledEvent = {
        orderId: id,
        userId: order.userId,
        items: order.items.map((i) => ({ productId: i.productId, quantity: i.quantity })),
        cancelledAt: order.updatedAt.toISOString(),
        reason,
      };
      await this.rpc.emit(EVENTS.ORDER_CANCELLED, id, event);
      ordersTotal.inc({ status: 'cancelled' });
      const eventId = randomUUID();
      order = (await this.orders.findByIdAndUpdate(id, { $set: { cancelEventId: eventId } }, { new: true }).lean<OrderRecord>().exec()) ?? order;
      this.logger.log({ orderId: id, userId: order.userId, reason }, `Cancelled order ${id} (${reason})`);
    }
    return toOrderResponse(order);
  }

  /** user.deleted: every confirmed order of that user is cancelled and its stock returns. */
  async cancelAllOf(userId: string): Promise<void> {
    const open = await this.orders.find({ userId, status: 'confirmed' }, { _id: 1 }).lean<{ _id: unknown }[]>().exec();
    for (const { _id } of open) await this.cancel(String(_id), 'user deleted');
    this.logger.log({ userId, cancelled: open.length }, `User ${userId} deleted: cancelled ${open.length} open orders`);
  }

  private async find(id: string): Promise<OrderRecord> {
    const order = await this.orders.findById(id).lean<OrderRecord>().exec();
    if (!order) throw ShopError.notFound(ERROR_CODES.ORDER_NOT_FOUND, 'Order', id);
    return order;
  }

  private draft(command: PlaceOrderMessage) {
    return { _id: command.orderId, userId: command.userId, items: command.items, totalCents: 0, fingerprint: command.fingerprint };
  }

  private mustBeSameRequest(order: OrderRecord, command: PlaceOrderMessage): void {
    if (order.fingerprint !== command.fingerprint) {
      throw new ShopError(422, ERROR_CODES.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was already used for a different order', { orderId: String(order._id) });
    }
  }

  private replay(order: OrderRecord, command: PlaceOrderMessage): OrderResponse {
    this.mustBeSameRequest(order, command);
    if (order.status === 'rejected' && order.rejection && !command.async) throw ShopError.fromWire(order.rejection);
    return toOrderResponse(order);
  }
}

export function toOrderResponse(order: OrderRecord): OrderResponse {
  const items = order.items.map((l) => ({
    productId: l.productId,
    name: l.name ?? '',
    quantity: l.quantity,
    unitPriceCents: l.unitPriceCents ?? 0,
    lineTotalCents: l.quantity * (l.unitPriceCents ?? 0),
  }));
  const response: OrderResponse = {
    id: String(order._id),
    userId: order.userId,
    status: order.status,
    items,
    totalCents: order.totalCents,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
  if (order.rejection) response.rejection = { code: order.rejection.code, message: order.rejection.message, details: order.rejection.details };
  return response;
}

