import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { stockMovement } from '@shop/contracts';
import { eventually, EventPublisher, fakeKafka, KafkaServerRef, requestContext, ShopError, shopErrorOf, testDatabase } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { Product, ProductSchema } from './schemas/product.schema';
import { Stock, StockMovement, StockMovementSchema, StockSchema } from './schemas/stock.schema';
import { ProductCache } from './product.cache';
import { ProductViewWriter } from './product-view.writer';
import { ProductsService } from './products.service';
import { StockService } from './stock.service';

/** StockService on the real database (the server `npm run test:medium` starts), with Kafka faked at its edge. */
describe('StockService on the database', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let stocks: Model<Stock>;
  let movements: Model<StockMovement>;
  let products: Model<Product>;
  let kafka: ReturnType<typeof fakeKafka>;
  let service: StockService;
  let cache: ProductCache;

  before(async () => {
    db = await testDatabase('stock');
    stocks = db.connection.model(Stock.name, StockSchema);
    movements = db.connection.model(StockMovement.name, StockMovementSchema);
    products = db.connection.model(Product.name, ProductSchema);
  });
  after(() => db.close());
  /** StockService as the module builds it, on `view`. */
  const stockService = (view: ProductViewWriter) =>
    new StockService(stocks, movements, kafka.events, kafka.rpc, cache, view, new ProductsService(products, stocks, kafka.events, cache, view));
  beforeEach(() => {
    kafka = fakeKafka();
    cache = new ProductCache(new KafkaServerRef());
    service = stockService(new ProductViewWriter(kafka.events, new KafkaServerRef()));
  });

  /** A product with `stock` units and a low-stock threshold of 5. */
  async function product(stock: number): Promise<string> {
    const created = await products.create({ name: 'Keyboard', priceCents: 8999, lowStockThreshold: 5 });
    await stocks.create({ _id: created._id, stock, initial: stock, restocked: 0, writtenOff: 0 });
    return created._id.toHexString();
  }
  const stockOf = async (id: string) => (await stocks.findById(id).lean().exec())!.stock;
  const order = () => new Types.ObjectId().toHexString();

  it('reserves once per order and product, however often the movement is delivered', async () => {
    const id = await product(10);
    const orderId = order();
    const answer = { productId: id, kind: 'reserve', stock: 7, name: 'Keyboard', unitPriceCents: 8999 };
    assert.deepEqual(await service.apply(stockMovement.reserve(orderId, { productId: id, quantity: 3 })), { ...answer, applied: true });
    assert.deepEqual(await service.apply(stockMovement.reserve(orderId, { productId: id, quantity: 3 })), { ...answer, applied: false });
    assert.equal(await stockOf(id), 7);
    assert.equal(await movements.countDocuments({ productId: id }), 1);
  });

  it("answers a reserve with the product's name and unit price, from this replica's memory after the first read", async () => {
    const id = await product(10);
    assert.deepEqual(await service.apply(stockMovement.reserve(order(), { productId: id, quantity: 1 })), { productId: id, kind: 'reserve', applied: true, stock: 9, name: 'Keyboard', unitPriceCents: 8999 });
    // Written behind the service's back: a replica that owns the product sees every write of it, so it does not read again.
    await products.updateOne({ _id: id }, { $set: { priceCents: 1 } }).exec();
    assert.equal((await service.apply(stockMovement.reserve(order(), { productId: id, quantity: 1 }))).unitPriceCents, 8999);
    assert.equal((await cache.read(id, () => assert.fail('read from the database'))).stock, 8, 'the memory holds the stock the reserves left');
  });

  it('refuses a reserve of a product that does not exist with 404 PRODUCT_NOT_FOUND, having recorded nothing', async () => {
    const missing = order();
    const error = await shopErrorOf(service.apply(stockMovement.reserve(order(), { productId: missing, quantity: 1 })));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'PRODUCT_NOT_FOUND');
    assert.equal(await movements.countDocuments({ productId: missing }), 0);
    assert.deepEqual(kafka.states, [], 'nothing written to product.view');
  });

  it('leaves the stock of every applied movement in the product cache before it answers', async () => {
    const id = await product(10);
    await cache.read(id, async () => ({ id, name: 'Keyboard', priceCents: 8999, stock: 10, lowStockThreshold: 5, createdAt: '', updatedAt: '' }));
    await service.apply(stockMovement.reserve(order(), { productId: id, quantity: 4 }));
    assert.equal((await cache.read(id, () => assert.fail('read from the database'))).stock, 6);
    await service.apply(stockMovement.adjust(id, 5));
    assert.equal((await cache.read(id, () => assert.fail('read from the database'))).stock, 11);
  });

  it('writes the stock a movement left to product.view before it answers, and nothing for a refusal', async () => {
    const id = await product(10);
    await service.apply(stockMovement.reserve(order(), { productId: id, quantity: 4 }));
    assert.deepEqual(kafka.states, [{ topic: 'product.view', key: `stock:${id}`, value: { id, stock: 6 } }]);
    await assert.rejects(service.apply(stockMovement.adjust(id, -7)), (e: unknown) => e instanceof ShopError && e.statusCode === 409);
    assert.equal(kafka.states.length, 1, 'a refused movement changed nothing');
  });

  it('writes the stock again from the database when its record could not be written, until the broker takes it', async () => {
    const id = await product(10);
    let refusals = 2;
    const written: unknown[] = [];
    const view = new ProductViewWriter({ writeState: async (_topic: string, _key: string, state: unknown) => {
      if (refusals-- > 0) throw new Error('broker away');
      written.push(state);
    } } as unknown as EventPublisher, new KafkaServerRef());
    const isolated = stockService(view);
    await assert.rejects(isolated.apply(stockMovement.reserve(order(), { productId: id, quantity: 4 })), /broker away/);
    assert.equal(await stockOf(id), 6, 'the stock changed before its record failed');
    await eventually(() => written.length > 0, 'product.view written again', 5000);
    assert.deepEqual(written, [{ id, stock: 6 }], 'written once the broker took it (the retry after 1 s)');
  });

  it('refuses a reservation larger than the stock with 409 INSUFFICIENT_STOCK and leaves the stock as it was', async () => {
    const id = await product(2);
    const error = await shopErrorOf(service.reserve(id, order(), 3));
    assert.deepEqual(error.toWire(), { statusCode: 409, code: 'INSUFFICIENT_STOCK', message: `Only 2 of ${id} in stock, 3 requested`, details: { productId: id, requested: 3, available: 2 } });
    assert.equal(await stockOf(id), 2);
    assert.equal(await movements.countDocuments({ productId: id }), 0);
  });

  it('after a crash between the stock change and its record, the redelivered reserve only records it', async () => {
    const id = await product(10);
    const orderId = order();
    // What the crashed delivery left: the conditional write done, naming its movement, no record.
    await stocks.updateOne({ _id: id }, { $inc: { stock: -4 }, $set: { lastMovement: `reserve:${orderId}:${id}`, lastQuantity: 4 } }).exec();
    assert.deepEqual(await service.reserve(id, orderId, 4), { productId: id, kind: 'reserve', applied: true, stock: 6, name: 'Keyboard', unitPriceCents: 8999 });
    assert.equal(await stockOf(id), 6, 'not taken twice');
    assert.equal((await movements.findById(`reserve:${orderId}:${id}`).lean().exec())?.quantity, 4);
  });

  it('releases a reservation whose record the crash lost, by the quantity its stock change names', async () => {
    const id = await product(10);
    const orderId = order();
    await stocks.updateOne({ _id: id }, { $inc: { stock: -4 }, $set: { lastMovement: `reserve:${orderId}:${id}`, lastQuantity: 4 } }).exec();
    assert.deepEqual(await service.release(id, orderId), { productId: id, kind: 'release', applied: true, stock: 10 });
    assert.deepEqual(await service.release(id, orderId), { productId: id, kind: 'release', applied: false, stock: 10 }, 'a second release changes nothing');
  });

  /** A delivery that came after its caller stopped waiting, as the Kafka server hands it over (RpcContract.whenLate). */
  const late = <T>(work: () => Promise<T>) => requestContext.run({ requestId: 'late-delivery', late: true }, work);

  it('a reserve that came after its caller stopped waiting takes nothing and records nothing', async () => {
    const id = await product(10);
    const orderId = order();
    assert.deepEqual(await late(() => service.apply(stockMovement.reserve(orderId, { productId: id, quantity: 4 }))), { productId: id, kind: 'reserve', applied: false, stock: 10 });
    assert.equal(await stockOf(id), 10);
    assert.equal(await movements.findById(`reserve:${orderId}:${id}`).lean().exec(), null);
  });

  it('a late reserve redelivered after a crash between the stock change and its record records it, so its release puts it back', async () => {
    const id = await product(10);
    const orderId = order();
    // What the crashed delivery left: the conditional write done, naming its movement, no record.
    await stocks.updateOne({ _id: id }, { $inc: { stock: -4 }, $set: { lastMovement: `reserve:${orderId}:${id}`, lastQuantity: 4 } }).exec();
    assert.deepEqual(await late(() => service.apply(stockMovement.reserve(orderId, { productId: id, quantity: 4 }))), { productId: id, kind: 'reserve', applied: false, stock: 6 });
    assert.equal((await movements.findById(`reserve:${orderId}:${id}`).lean().exec())?.quantity, 4, 'recorded');
    // Other orders take stock before the release comes: lastMovement names them by then.
    await service.apply(stockMovement.reserve(order(), { productId: id, quantity: 1 }));
    assert.equal((await service.apply(stockMovement.release(orderId, id))).stock, 9, 'the 4 units come back');
  });

  it('a release that comes before its reserve (a timed-out saga) keeps the late reserve from taking stock', async () => {
    const id = await product(10);
    const orderId = order();
    assert.deepEqual(await service.release(id, orderId), { productId: id, kind: 'release', applied: false, stock: 10 });
    await assert.rejects(service.reserve(id, orderId, 2), (e: unknown) => e instanceof ShopError && e.code === 'INSUFFICIENT_STOCK' && /already released/.test(e.message));
    assert.equal(await stockOf(id), 10);
  });

  it('restocks and writes off once per movement id, never below zero, keeping the totals', async () => {
    const id = await product(3);
    const restock = stockMovement.adjust(id, 5);
    assert.equal((await service.apply(restock)).stock, 8);
    assert.equal((await service.apply(restock)).applied, false, 'the same movement again');
    assert.equal((await service.apply(stockMovement.adjust(id, -6))).stock, 2);
    await assert.rejects(service.apply(stockMovement.adjust(id, -3)), (e: unknown) => e instanceof ShopError && e.statusCode === 409);
    const doc = (await stocks.findById(id).lean().exec())!;
    assert.deepEqual({ stock: doc.stock, initial: doc.initial, restocked: doc.restocked, writtenOff: doc.writtenOff }, { stock: 2, initial: 3, restocked: 5, writtenOff: 6 });
  });

  it('publishes product.stock-low once when a movement takes the stock below the threshold', async () => {
    const id = await product(7);
    await service.reserve(id, order(), 2); // 7 -> 5: not below 5
    await service.reserve(id, order(), 1); // 5 -> 4: crosses
    await service.reserve(id, order(), 1); // 4 -> 3: already below
    assert.deepEqual(kafka.published, [{ topic: 'product.stock-low', key: id, value: { productId: id, stock: 4, lowStockThreshold: 5 } }]);
  });

  it('judges the next movement by the threshold a catalog edit just set', async () => {
    const id = await product(10);
    await service.reserve(id, order(), 1); // 10 -> 9, the threshold 5 read into memory
    const catalog = new ProductsService(products, stocks, kafka.events, cache, new ProductViewWriter(kafka.events, new KafkaServerRef()));
    await catalog.update(id, { lowStockThreshold: 9 });
    await service.reserve(id, order(), 1); // 9 -> 8: below the new threshold
    assert.deepEqual(kafka.published, [{ topic: 'product.stock-low', key: id, value: { productId: id, stock: 8, lowStockThreshold: 9 } }]);
  });

  it('turns order.cancelled into one release command per item, each keyed by its product', async () => {
    const [a, b] = [await product(1), await product(1)];
    const orderId = order();
    await service.releaseCancelledOrder({ orderId, userId: order(), items: [{ productId: a, quantity: 1 }, { productId: b, quantity: 2 }], cancelledAt: new Date().toISOString(), reason: 'cancelled by request' });
    assert.deepEqual(
      kafka.commanded.map((c) => [c.topic, c.key, c.value]),
      [
        ['product.stock', a, { kind: 'release', orderId, productId: a, reason: 'order cancelled' }],
        ['product.stock', b, { kind: 'release', orderId, productId: b, reason: 'order cancelled' }],
      ],
    );
  });
});
