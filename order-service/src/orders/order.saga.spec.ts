import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { AnyRpcContract, ERROR_CODES, RPC, StockMovementMessage } from '@shop/contracts';
import { fakeKafka, KafkaServerRef, ShopError, shopErrorOf } from '@shop/platform';
import { Model } from 'mongoose';
import { OrderSaga } from './order.saga';
import { PendingRelease } from './schemas/pending-release.schema';
import { StockReleases } from './stock-releases';

const ORDER = '6650f0c2a1b2c3d4e5f60720';
const USER = '6650f0c2a1b2c3d4e5f60718';
const [A, B, C] = ['6650f0c2a1b2c3d4e5f60731', '6650f0c2a1b2c3d4e5f60732', '6650f0c2a1b2c3d4e5f60733'];
const product = (id: string, priceCents: number) => ({ id, name: `product ${id.slice(-2)}`, priceCents, stock: 10, lowStockThreshold: 5, createdAt: '', updatedAt: '' });

/**
 * The saga over a fake Kafka edge: the user exists unless named missing; a product exists
 * when `products` names it (all three by default), and its reservation answers its name and
 * price, or as `reserve` says (a ShopError thrown is the service's refusal). `unpriced`
 * reservations answer as a product-service older than 2026-12-02 did: without name and price;
 * `goneSince` products were deleted after their reservation (product.get-many misses them).
 */
function saga(options: { missingUser?: boolean; products?: string[]; reserve?: (m: StockMovementMessage) => unknown; unpriced?: boolean; goneSince?: string[] } = {}) {
  const known = options.products ?? [A, B, C];
  const kafka = fakeKafka((contract: AnyRpcContract, request: unknown) => {
    if (contract === RPC.USER_GET) {
      if (options.missingUser) throw new ShopError(404, ERROR_CODES.USER_NOT_FOUND, 'User not found');
      return { id: USER };
    }
    if (contract === RPC.PRODUCT_GET_MANY) return (request as { ids: string[] }).ids.filter((id) => known.includes(id) && !options.goneSince?.includes(id)).map((id) => product(id, 100));
    const movement = request as StockMovementMessage;
    if (movement.kind !== 'reserve') return { applied: true };
    if (!known.includes(movement.productId)) throw new ShopError(404, ERROR_CODES.PRODUCT_NOT_FOUND, 'Product not found');
    const { name, priceCents } = product(movement.productId, 100);
    return options.reserve?.(movement) ?? { productId: movement.productId, kind: 'reserve', applied: true, stock: 10, ...(!options.unpriced && { name, unitPriceCents: priceCents }) };
  });
  // Every release here is answered: StockReleases writes nothing down (its medium test covers the rest).
  const nothingPending = {} as Model<PendingRelease>;
  return { saga: new OrderSaga(kafka.rpc, new StockReleases(nothingPending, kafka.rpc, new KafkaServerRef())), kafka };
}

const insufficient = (productId: string) => new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, 'not enough', { productId, requested: 5, available: 1 });
const reservesAndReleases = (kafka: ReturnType<typeof fakeKafka>) =>
  kafka.sent.filter((s) => s.topic === 'product.stock').map((s) => `${(s.value as StockMovementMessage).kind} ${s.key === (s.value as StockMovementMessage).productId ? 'keyed' : 'UNKEYED'} ${s.key!.slice(-2)}${s.mustApply ? ' must-apply' : ''}`);

before(() => Logger.overrideLogger(false));
after(() => Logger.overrideLogger(true));

describe('OrderSaga', () => {
  it('reserves every item, each keyed by its product, and prices the lines as the reservations answered, asking nothing else of product-service', async () => {
    const { saga: s, kafka } = saga();
    const lines = await s.reserve(ORDER, USER, [
      { productId: A, quantity: 2 },
      { productId: B, quantity: 1 },
    ]);
    assert.deepEqual(lines, [
      { productId: A, quantity: 2, name: 'product 31', unitPriceCents: 100 },
      { productId: B, quantity: 1, name: 'product 32', unitPriceCents: 100 },
    ]);
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 32']);
    assert.deepEqual(kafka.sent.map((s) => s.topic).sort(), ['product.stock', 'product.stock', 'user.get']);
  });

  it('prices the lines from product.get-many when the reservations answer no price (a product-service older than 2026-12-02, mid-upgrade)', async () => {
    const { saga: s, kafka } = saga({ unpriced: true });
    const lines = await s.reserve(ORDER, USER, [{ productId: A, quantity: 2 }]);
    assert.deepEqual(lines, [{ productId: A, quantity: 2, name: 'product 31', unitPriceCents: 100 }]);
    assert.ok(kafka.sent.some((s) => s.topic === 'product.get-many'));
  });

  it('releases what it reserved when one product is short, and answers 409 naming only that product', async () => {
    const { saga: s, kafka } = saga({ reserve: (m) => (m.productId === B ? Promise.reject(insufficient(B)) : { applied: true }) });
    const error = await shopErrorOf(s.reserve(ORDER, USER, [A, B, C].map((productId) => ({ productId, quantity: 5 }))));
    assert.deepEqual(error.toWire(), { statusCode: 409, code: 'INSUFFICIENT_STOCK', message: 'Not enough stock for 1 product', details: { products: [{ productId: B, requested: 5, available: 1 }] } });
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 32', 'reserve keyed 33', 'release keyed 31 must-apply', 'release keyed 33 must-apply']);
  });

  it('also releases a reservation whose answer timed out (its outcome is unknown), and answers the timeout', async () => {
    const timeout = new ShopError(504, ERROR_CODES.RPC_TIMEOUT, 'No answer to product.stock within 5000 ms');
    const { saga: s, kafka } = saga({ reserve: (m) => (m.productId === A ? Promise.reject(timeout) : { applied: true }) });
    await assert.rejects(s.reserve(ORDER, USER, [{ productId: A, quantity: 1 }, { productId: B, quantity: 1 }]), (e: unknown) => e === timeout);
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 32', 'release keyed 31 must-apply', 'release keyed 32 must-apply']);
  });

  it('releases every reservation when the user check times out, and answers the timeout', async () => {
    const timeout = new ShopError(504, ERROR_CODES.RPC_TIMEOUT, 'No answer to user.get within 5000 ms');
    const kafka = fakeKafka((contract: AnyRpcContract, request: unknown) => {
      if (contract === RPC.USER_GET) throw timeout;
      const movement = request as StockMovementMessage;
      return { productId: movement.productId, kind: movement.kind, applied: true, stock: 10, name: 'n', unitPriceCents: 100 };
    });
    const s = new OrderSaga(kafka.rpc, new StockReleases({} as Model<PendingRelease>, kafka.rpc, new KafkaServerRef()));
    await assert.rejects(s.reserve(ORDER, USER, [{ productId: A, quantity: 1 }, { productId: B, quantity: 1 }]), (e: unknown) => e === timeout);
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 32', 'release keyed 31 must-apply', 'release keyed 32 must-apply']);
  });

  it('releases every reservation when the products cannot be priced (no price answered, and product.get-many misses one)', async () => {
    const { saga: s, kafka } = saga({ unpriced: true, goneSince: [C] });
    await assert.rejects(s.reserve(ORDER, USER, [A, C].map((productId) => ({ productId, quantity: 1 }))), (e: unknown) => e instanceof ShopError && e.code === 'PRODUCT_NOT_FOUND');
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 33', 'release keyed 31 must-apply', 'release keyed 33 must-apply']);
  });

  it('answers 422 USER_NOT_FOUND for an unknown user, releasing what was reserved while the user was checked', async () => {
    const { saga: s, kafka } = saga({ missingUser: true, reserve: (m) => (m.productId === B ? Promise.reject(insufficient(B)) : undefined) });
    await assert.rejects(s.reserve(ORDER, USER, [{ productId: A, quantity: 1 }, { productId: B, quantity: 5 }]), (e: unknown) => e instanceof ShopError && e.statusCode === 422 && e.code === 'USER_NOT_FOUND');
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 32', 'release keyed 31 must-apply']);
  });

  it('answers 422 PRODUCT_NOT_FOUND naming every unknown product, before a shortage, and releases the rest', async () => {
    const { saga: s, kafka } = saga({ products: [A, B], reserve: (m) => (m.productId === B ? Promise.reject(insufficient(B)) : undefined) });
    const error = await shopErrorOf(s.reserve(ORDER, USER, [A, B, C].map((productId) => ({ productId, quantity: 1 }))));
    assert.deepEqual(error.toWire(), { statusCode: 422, code: 'PRODUCT_NOT_FOUND', message: `Unknown product: ${C}`, details: { productIds: [C] } });
    assert.deepEqual(reservesAndReleases(kafka), ['reserve keyed 31', 'reserve keyed 32', 'reserve keyed 33', 'release keyed 31 must-apply']);
  });
});
