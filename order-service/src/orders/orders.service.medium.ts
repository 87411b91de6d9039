import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ERROR_CODES, OrderItemRequest, PlaceOrderMessage } from '@shop/contracts';
import { fakeKafka, fingerprint, requestContext, ShopError, shopErrorOf, testDatabase } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { OrderSaga } from './order.saga';
import { OrdersService } from './orders.service';
import { Order, OrderLine, OrderSchema } from './schemas/order.schema';

const USER = '6650f0c2a1b2c3d4e5f60718';
const PRODUCT = '6650f0c2a1b2c3d4e5f60719';

/**
 * Order placement on the real database (the server `npm run test:medium` starts), with
 * the saga and the event publisher faked at the service's edge.
 */
describe('OrdersService on the database', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let orders: Model<Order>;
  let kafka: ReturnType<typeof fakeKafka>;
  /** How the fake saga decides: priced lines, or a ShopError. */
  let outcome: () => Promise<OrderLine[]>;
  let sagaRuns: number;
  /** Releases the fake saga was asked for: `<orderId>:<productId>`. */
  let releases: string[];
  let service: OrdersService;

  before(async () => {
    db = await testDatabase('orders');
    orders = db.connection.model(Order.name, OrderSchema);
    await orders.init();
  });
  after(() => db.close());
  beforeEach(() => {
    kafka = fakeKafka();
    sagaRuns = 0;
    releases = [];
    outcome = async () => [{ productId: PRODUCT, quantity: 2, name: 'Keyboard', unitPriceCents: 8999 }];
    const saga = {
      reserve: () => {
        sagaRuns++;
        return outcome();
      },
      release: async (orderId: string, items: { productId: string }[]) => void releases.push(...items.map((i) => `${orderId}:${i.productId}`)),
    } as unknown as OrderSaga;
    service = new OrdersService(orders, saga, kafka.events);
  });

  function command(items: OrderItemRequest[] = [{ productId: PRODUCT, quantity: 2 }], extra: Partial<PlaceOrderMessage> = {}): PlaceOrderMessage {
    const body = { userId: USER, items };
    return { ...body, orderId: new Types.ObjectId().toHexString(), fingerprint: fingerprint(body), ...extra };
  }
  const stored = async (id: string) => orders.findById(id).lean<Order>().exec();

  it('confirms an order with the priced lines, stores it once and publishes order.created keyed by its id', async () => {
    const c = command();
    const order = await service.place(c);
    assert.deepEqual({ id: order.id, status: order.status, totalCents: order.totalCents, items: order.items }, {
      id: c.orderId,
      status: 'confirmed',
      totalCents: 17998,
      items: [{ productId: PRODUCT, name: 'Keyboard', quantity: 2, unitPriceCents: 8999, lineTotalCents: 17998 }],
    });
    assert.equal((await stored(c.orderId))?.status, 'confirmed');
    assert.deepEqual(kafka.published.map((p) => [p.topic, p.key]), [['order.created', c.orderId]]);
  });

  it('answers a retried order (same id and body) with the first result, without running the saga or publishing again', async () => {
    const c = command();
    const first = await service.place(c);
    const again = await service.place({ ...c });
    assert.deepEqual(again, first);
    assert.equal(sagaRuns, 1);
    assert.equal(kafka.published.length, 1);
  });

  it('refuses the same order id with another body with 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const c = command();
    await service.place(c);
    const other = command([{ productId: PRODUCT, quantity: 3 }], { orderId: c.orderId });
    const error = await shopErrorOf(service.place(other));
    assert.deepEqual(error.toWire(), { statusCode: 422, code: ERROR_CODES.IDEMPOTENCY_KEY_REUSED, message: 'This Idempotency-Key was already used for a different order', details: { orderId: c.orderId } });
  });

  it('stores a refused order as rejected, answers its error, and answers the same error on a retry without a second saga', async () => {
    const refusal = new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, 'Not enough stock for 1 product', { products: [{ productId: PRODUCT, requested: 2, available: 0 }] });
    outcome = () => Promise.reject(refusal);
    const c = command();
    assert.equal(await shopErrorOf(service.place(c)), refusal);
    const order = await stored(c.orderId);
    assert.deepEqual({ status: order?.status, rejection: order?.rejection }, { status: 'rejected', rejection: refusal.toWire() });
    const retried = await shopErrorOf(service.place({ ...c }));
    assert.deepEqual(retried.toWire(), refusal.toWire());
    assert.equal(sagaRuns, 1);
    assert.deepEqual(kafka.published, [], 'a rejected order publishes nothing');
  });

  it('answers an unexpected saga failure as a bare 500 and stores the order rejected, not pending', async () => {
    outcome = () => Promise.reject(new TypeError('boom'));
    const c = command();
    const error = await shopErrorOf(service.place(c));
    assert.deepEqual(error.toWire(), { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
    assert.equal((await stored(c.orderId))?.status, 'rejected');
  });

  it('stores an asynchronous order as pending while its saga runs, then decides it', async () => {
    const c = command(undefined, { async: true });
    let seenWhileRunning: string | undefined;
    outcome = async () => {
      seenWhileRunning = (await stored(c.orderId))?.status;
      return [{ productId: PRODUCT, quantity: 2, name: 'Keyboard', unitPriceCents: 8999 }];
    };
    const order = await service.place(c);
    assert.equal(seenWhileRunning, 'pending');
    assert.equal(order.status, 'confirmed');
    assert.equal((await stored(c.orderId))?.status, 'confirmed');
  });

  it('answers an asynchronous rejection as the rejected order, not an error', async () => {
    outcome = () => Promise.reject(new ShopError(422, ERROR_CODES.USER_NOT_FOUND, 'gone'));
    const order = await service.place(command(undefined, { async: true }));
    assert.equal(order.status, 'rejected');
    assert.deepEqual(order.rejection, { code: 'USER_NOT_FOUND', message: 'gone', details: undefined });
  });

  it('runs the saga again for a pending order whose command is delivered again (a crash mid-saga)', async () => {
    const c = command(undefined, { async: true });
    await orders.create({ _id: c.orderId, userId: USER, items: c.items, totalCents: 0, fingerprint: c.fingerprint, status: 'pending' });
    const order = await service.place({ ...c });
    assert.equal(order.status, 'confirmed');
    assert.equal(sagaRuns, 1);
    assert.deepEqual(kafka.published.map((p) => p.topic), ['order.created']);
  });

  it('abandons an order.create that arrives after its caller stopped waiting: no saga, its reservations released, stored rejected', async () => {
    const c = command();
    const late = <T>(work: () => Promise<T>) => requestContext.run({ requestId: 'late', late: true }, work);
    const error = await shopErrorOf(late(() => service.place(c)));
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'ORDER_ABANDONED');
    assert.equal(sagaRuns, 0, 'nobody waits for it: the saga is not run');
    assert.deepEqual(releases, [`${c.orderId}:${PRODUCT}`], 'what a saga cut short by a crash may have reserved is released');
    const order = await stored(c.orderId);
    assert.equal(order?.status, 'rejected');
    assert.equal(order?.rejection?.code, 'ORDER_ABANDONED');
    assert.deepEqual(kafka.published, [], 'no order.created');
    // The same command again (the same Idempotency-Key) answers the same, late or not, and
    // releases again (a crash may have come between storing the order and its releases).
    assert.equal((await shopErrorOf(service.place({ ...c }))).code, 'ORDER_ABANDONED');
    assert.equal(sagaRuns, 0);
    assert.deepEqual(releases, [`${c.orderId}:${PRODUCT}`, `${c.orderId}:${PRODUCT}`]);
  });

  it('answers a late order.create whose order was decided as it was decided', async () => {
    const c = command();
    const placed = await service.place(c);
    const again = await requestContext.run({ requestId: 'late', late: true }, () => service.place({ ...c }));
    assert.deepEqual(again, placed);
    assert.deepEqual(releases, []);
  });

  it('stores one order and publishes one event when two deliveries of one command race', async () => {
    const c = command();
    const [a, b] = await Promise.all([service.place(c), service.place({ ...c })]);
    assert.deepEqual(b, a);
    assert.equal(await orders.countDocuments({ _id: c.orderId }), 1);
    assert.equal(kafka.published.length, 1);
  });

  it('cancels a confirmed order once: order.cancelled is published once however often it is cancelled', async () => {
    const c = command();
    await service.place(c);
    const cancelled = await service.cancel(c.orderId, 'cancelled by request');
    const again = await service.cancel(c.orderId, 'cancelled by request');
    assert.equal(cancelled.status, 'cancelled');
    assert.equal(again.status, 'cancelled');
    assert.deepEqual(
      kafka.published.filter((p) => p.topic === 'order.cancelled').map((p) => [p.key, (p.value as { items: unknown }).items]),
      [[c.orderId, [{ productId: PRODUCT, quantity: 2 }]]],
    );
  });

  it('refuses to cancel a rejected order with 409 ORDER_NOT_CANCELLABLE', async () => {
    outcome = () => Promise.reject(new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, 'no'));
    const c = command();
    await shopErrorOf(service.place(c));
    await assert.rejects(service.cancel(c.orderId, 'x'), (e: unknown) => e instanceof ShopError && e.code === 'ORDER_NOT_CANCELLABLE' && e.statusCode === 409);
  });
});
