import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fakeKafka, KafkaServerRef, testDatabase } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { Product, ProductSchema } from './schemas/product.schema';
import { Stock, StockSchema } from './schemas/stock.schema';
import { ProductCache } from './product.cache';
import { ProductViewWriter } from './product-view.writer';
import { ProductsService } from './products.service';

/** ProductsService on the real database (the server `npm run test:medium` starts), with Kafka faked at its edge. */
describe('ProductsService on the database', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let service: ProductsService;
  let kafka: ReturnType<typeof fakeKafka>;
  let products: Model<Product>;
  let stocks: Model<Stock>;
  let writer: ProductViewWriter;
  let cache: ProductCache;

  before(async () => {
    db = await testDatabase('products');
    products = db.connection.model(Product.name, ProductSchema);
    stocks = db.connection.model(Stock.name, StockSchema);
    kafka = fakeKafka();
    writer = new ProductViewWriter(kafka.events, new KafkaServerRef());
    cache = new ProductCache(new KafkaServerRef());
    service = new ProductsService(products, stocks, kafka.events, cache, writer);
  });
  after(() => db.close());

  it('getMany answers the products that exist among the ids, each once and with its own stock', async () => {
    const keyboard = await service.create({ name: 'Keyboard', priceCents: 8999, stock: 7 });
    const mouse = await service.create({ name: 'Mouse', priceCents: 2599, stock: 0 });
    const missing = new Types.ObjectId().toHexString();
    const found = await service.getMany([mouse.id, missing, keyboard.id, mouse.id]);
    assert.deepEqual(found.map((p) => [p.name, p.priceCents, p.stock]).sort(), [['Keyboard', 8999, 7], ['Mouse', 2599, 0]]);
    assert.deepEqual(await service.getMany([missing]), []);
  });

  it("lists a page of the catalogue with each product's stock", async () => {
    const lamp = await service.create({ name: 'Reading lamp', priceCents: 4500, stock: 12 });
    const page = await service.list({ name: 'reading lamp', limit: 10, offset: 0 });
    assert.equal(page.total, 1);
    assert.deepEqual(page.items.map((p) => [p.id, p.stock]), [[lamp.id, 12]]);
  });

  it('writes every catalog change to product.view: both keys on create, pending then the fields on update, tombstones on delete', async () => {
    const created = await service.create({ name: 'Desk', priceCents: 19900, stock: 3 });
    const { id } = created;
    const { stock: _stock, ...catalog } = created;
    const records = () => kafka.states.filter((r) => r.key?.endsWith(id)).map((r) => [r.key, r.value]);
    assert.deepEqual(records(), [[`catalog:${id}`, catalog], [`stock:${id}`, { id, stock: 3 }]]);
    kafka.states.length = 0;
    const updated = await service.update(id, { priceCents: 17900 });
    const { stock: _s, ...updatedCatalog } = updated;
    assert.deepEqual(records(), [[`catalog:${id}`, { id, pending: true }], [`catalog:${id}`, updatedCatalog]]);
    kafka.states.length = 0;
    await service.remove(id);
    assert.deepEqual(records().slice(2), [[`catalog:${id}`, null], [`stock:${id}`, null]]);
    assert.deepEqual(records().slice(0, 2).map(([, value]) => value), [{ id, pending: true }, { id, pending: true }]);
  });

  it('shares a product written to the database by other means with product.view when it reads it, unless a write of it ran meanwhile', async () => {
    const seeded = await products.create({ name: 'Seeded chair', priceCents: 5000, lowStockThreshold: 5 });
    const id = seeded._id.toHexString();
    await stocks.create({ _id: seeded._id, stock: 4, initial: 4, restocked: 0, writtenOff: 0 });
    kafka.states.length = 0;
    const read = await service.get(id);
    await new Promise((resolve) => setImmediate(resolve));
    const { stock: _stock, ...catalog } = read;
    assert.deepEqual(kafka.states.map((r) => [r.key, r.value]), [[`catalog:${id}`, catalog], [`stock:${id}`, { id, stock: 4 }]]);

    const quiet = writer.quietSince(id);
    await writer.during(id, async () => assert.equal(writer.quietSince(id)(), false, 'a read begun during a write is never shared'));
    assert.equal(quiet(), false, 'nor one a write overlapped');
    assert.equal(writer.quietSince(id)(), true);
  });

  it('shares a product it read during a write of it (a reserve reads the catalog) at its next read, from what it holds', async () => {
    const seeded = await products.create({ name: 'Seeded lamp', priceCents: 3000, lowStockThreshold: 5 });
    const id = seeded._id.toHexString();
    await stocks.create({ _id: seeded._id, stock: 9, initial: 9, restocked: 0, writtenOff: 0 });
    kafka.states.length = 0;
    // As a reserve does: the catalog read inside the movement's write, which then leaves stock 8.
    await writer.during(id, async () => {
      await service.get(id);
      await stocks.updateOne({ _id: id }, { $inc: { stock: -1 } }).exec();
      cache.stockChanged(id, 8);
    });
    assert.equal(kafka.states.length, 0, 'nothing shared while the write ran');
    await service.get(id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(kafka.states.map((r) => [r.key, r.value]).filter(([key]) => key === `stock:${id}`), [[`stock:${id}`, { id, stock: 8 }]], 'the stock it holds, not the one it read');
    assert.ok(kafka.states.some((r) => r.key === `catalog:${id}`), 'and the catalog');
    kafka.states.length = 0;
    await service.get(id);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(kafka.states.length, 0, 'once');
  });
});
