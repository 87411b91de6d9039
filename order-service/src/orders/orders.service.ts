import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { ERROR_CODES, EVENTS, ListOrdersRequest, OrderCancelledEvent, OrderResponse, Page, PlaceOrderMessage } from '@shop/contracts';
import { assertMayActFor, EventPublisher, isDuplicateKey, mayActFor, requestContext, ShopError } from '@shop/platform';
import { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import { ordersTotal } from './metrics';
import { OrderSaga } from './order.saga';
import { Order } from './schemas/order.schema';

/** What the saga decided for an order: the fields to store, and the error to answer when it was rejected. */
interface Decision {
  fields: Pick<Order, 'status' | 'items' | 'totalCents' | 'rejection'>;
  failure?: ShopError;
}

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectModel(Order.name) private readonly orders: Model<Order>,
    private readonly saga: OrderSaga,
    private readonly events: EventPublisher,
  ) {}

  /**
   * Runs the saga for the order id the gateway chose and stores the outcome. The same
   * id again (a retry, the same Idempotency-Key) answers the stored outcome and moves no
   * stock: order.create is keyed by order id, so duplicates queue behind the first on
   * one partition, and reservations are idempotent per order.
   */
  async place(command: PlaceOrderMessage): Promise<OrderResponse> {
    assertMayActFor(command.userId, 'place orders');
    const existing = await this.orders.findById(command.orderId).lean<Order>().exec();
    if (existing) {
      this.mustBeSameRequest(existing, command);
      // Decided: answer as then (an abandoned order releases again: a crash may have come
      // between storing it and its releases). Pending (a redelivered command): run its saga again.
      if (existing.status !== 'pending') return this.answerStored(command, existing);
    } else if (requestContext.isLate()) {
      return this.abandon(command);
    } else if (command.async && !(await this.storePending(command))) {
      return this.replay(await this.find(command.orderId), command);
    }
    const decision = await this.decide(command);
    const order = existing || command.async ? await this.decidePending(command.orderId, decision) : await this.insertDecided(command, decision);
    if (!order) return this.replay(await this.find(command.orderId), command); // another delivery stored it first
    return this.announce(order, decision, command);
  }

  /** A customer sees only its own orders, whatever it asks for. */
  async list(request: ListOrdersRequest): Promise<Page<OrderResponse>> {
    const principal = requestContext.principal();
    if (request.userId) assertMayActFor(request.userId, 'list orders', principal);
    const userId = principal?.role === 'customer' ? principal.id : request.userId;
    const filter = userId ? { userId } : {};
    const [docs, total] = await Promise.all([
      this.orders.find(filter).sort({ createdAt: 1, _id: 1 }).skip(request.offset).limit(request.limit).lean<Order[]>().exec(),
      this.orders.countDocuments(filter).exec(),
    ]);
    return { items: docs.map(toOrderResponse), total, limit: request.limit, offset: request.offset };
  }

  async get(id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.findOwned(id));
  }

  /** order.cancel from a caller: only an order the caller may see. */
  async cancelByRequest(id: string): Promise<OrderResponse> {
    await this.findOwned(id);
    return this.cancel(id, 'cancelled by request');
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
      order = (await this.orders.findOneAndUpdate({ _id: id, status: 'confirmed' }, { $set: { status: 'cancelled' } }, { new: true }).lean<Order>().exec()) ?? (await this.find(id));
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
      await this.events.publish(EVENTS.ORDER_CANCELLED, event);
      ordersTotal.inc({ status: 'cancelled' });
      order = (await this.orders.findByIdAndUpdate(id, { $set: { cancelEventId: randomUUID() } }, { new: true }).lean<Order>().exec()) ?? order;
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

  /**
   * An order.create that reached order-service after its caller stopped waiting, with no
   * order stored: a backlog, or a redelivery after order-service died mid-saga, whose
   * reservations may be in place. Its saga is not run (nobody waits for the answer, and a
   * backlog must not be worked through). The order is stored rejected (409
   * ORDER_ABANDONED) first, so that a delivery of it still running elsewhere (a replica
   * frozen past its session) cannot confirm it any more; then whatever its saga may have
   * reserved is released (each release queues behind any reservation of its product, and
   * a reservation arriving after it is refused). Its Idempotency-Key answers the same from
   * now on.
   */
  private async abandon(command: PlaceOrderMessage): Promise<OrderResponse> {
    const failure = new ShopError(409, ERROR_CODES.ORDER_ABANDONED, `Order ${command.orderId} was not placed: it reached order-service after its caller stopped waiting; place it again with a new Idempotency-Key`, { orderId: command.orderId });
    const decision: Decision = { fields: { status: 'rejected', items: command.items, totalCents: 0, rejection: failure.toWire() }, failure };
    const order = await this.insertDecided(command, decision);
    if (!order) return this.answerStored(command); // another delivery stored it first: its outcome stands
    await this.saga.release(command.orderId, command.items);
    return this.announce(order, decision, command);
  }

  /** Stores an asynchronous order as pending, so GET shows it while its saga runs; false when another delivery stored it first. */
  private async storePending(command: PlaceOrderMessage): Promise<boolean> {
    try {
      await this.orders.create({ ...draft(command), status: 'pending' });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  /** The saga's outcome: confirmed with priced lines, or rejected with the error the caller gets. */
  private async decide(command: PlaceOrderMessage): Promise<Decision> {
    try {
      const lines = await this.saga.reserve(command.orderId, command.userId, command.items);
      return { fields: { status: 'confirmed', items: lines, totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents!, 0) } };
    } catch (error) {
      if (!(error instanceof ShopError)) this.logger.error({ err: error, orderId: command.orderId }, `Order ${command.orderId} failed`);
      const failure = error instanceof ShopError ? error : new ShopError(500, ERROR_CODES.INTERNAL_ERROR, 'Internal server error');
      return { fields: { status: 'rejected', items: command.items, totalCents: 0, rejection: failure.toWire() }, failure };
    }
  }

  /**
   * A synchronous order is written once, decided: an insert, which FerretDB makes cheaper
   * than an update the larger the collection grows. Undefined when another delivery inserted it first.
   */
  private async insertDecided(command: PlaceOrderMessage, decision: Decision): Promise<Order | undefined> {
    try {
      return (await this.orders.create({ ...draft(command), ...decision.fields })).toObject();
    } catch (error) {
      if (isDuplicateKey(error)) return undefined;
      throw error;
    }
  }

  /** Pending -> decided; undefined when another delivery decided it first. */
  private async decidePending(orderId: string, decision: Decision): Promise<Order | undefined> {
    const order = await this.orders.findOneAndUpdate({ _id: orderId, status: 'pending' }, { $set: decision.fields }, { new: true }).lean<Order>().exec();
    return order ?? undefined;
  }

  /** Counts the decided order, publishes order.created for a confirmed one, and answers (a synchronous rejection as its error). */
  private async announce(order: Order, decision: Decision, command: PlaceOrderMessage): Promise<OrderResponse> {
    ordersTotal.inc({ status: order.status });
    const response = toOrderResponse(order);
    if (decision.failure) {
      this.logger.log({ orderId: response.id, code: decision.failure.code }, `Rejected order ${response.id}: ${decision.failure.message}`);
      if (!command.async) throw decision.failure;
      return response;
    }
    await this.events.publish(EVENTS.ORDER_CREATED, response);
    this.logger.log({ orderId: response.id, userId: response.userId, totalCents: response.totalCents }, `Confirmed order ${response.id} for ${response.totalCents} cents`);
    return response;
  }

  /** Someone else's order is 404 to a customer, exactly as one that does not exist: its id tells nothing. */
  private async findOwned(id: string): Promise<Order> {
    const order = await this.find(id);
    if (!mayActFor(order.userId)) throw ShopError.notFound(ERROR_CODES.ORDER_NOT_FOUND, 'Order', id);
    return order;
  }

  private async find(id: string): Promise<Order> {
    const order = await this.orders.findById(id).lean<Order>().exec();
    if (!order) throw ShopError.notFound(ERROR_CODES.ORDER_NOT_FOUND, 'Order', id);
    return order;
  }

  private mustBeSameRequest(order: Order, command: PlaceOrderMessage): void {
    if (order.fingerprint !== command.fingerprint) {
      throw new ShopError(422, ERROR_CODES.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was already used for a different order', { orderId: String(order._id) });
    }
  }

  /** A decided order seen again: the same answer as the first time (a synchronous rejection is its error again). */
  /** The stored outcome of a decided order; an abandoned one releases again first (a crash may have come between storing it and its releases). */
  private async answerStored(command: PlaceOrderMessage, order?: Order): Promise<OrderResponse> {
    const stored = order ?? (await this.find(command.orderId));
    if (stored.rejection?.code === ERROR_CODES.ORDER_ABANDONED) await this.saga.release(command.orderId, command.items);
    return this.replay(stored, command);
  }

  private replay(order: Order, command: PlaceOrderMessage): OrderResponse {
    this.mustBeSameRequest(order, command);
    if (order.status === 'rejected' && order.rejection && !command.async) throw ShopError.fromWire(order.rejection);
    return toOrderResponse(order);
  }
}

function draft(command: PlaceOrderMessage) {
  return { _id: command.orderId, userId: command.userId, items: command.items, totalCents: 0, fingerprint: command.fingerprint };
}

export function toOrderResponse(order: Order): OrderResponse {
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
