/**
 * `--documents N`: big collections before anything is measured. N users, N products with
 * their stock and N confirmed orders, written straight into the services' databases in the
 * shape the services store them (no events: nothing else needs to know). The same
 * documents, ids included, go into every database of the run, so the backends compared
 * hold the same data.
 */
import { createHash } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';

/** The documents of one fill, and the ids the scenarios may pick from. */
export interface Documents {
  users: Record<string, unknown>[];
  products: Record<string, unknown>[];
  stocks: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  userIds: string[];
  productIds: string[];
}

/** Stock no run can exhaust, as seed() gives the products it creates. */
const STOCK = 10_000_000;
const BATCH = 1000;

/** `count` of each; an order names a user and a product of the fill, as one created through the API does. */
export function makeDocuments(count: number, now = new Date()): Documents {
  const tag = now.getTime().toString(36);
  const users = Array.from({ length: count }, (_, i) => ({
    _id: new ObjectId(),
    email: `filled-${tag}-${i}@example.com`,
    name: `Filled User ${i}`,
    role: 'customer',
    createdAt: now,
    updatedAt: now,
  }));
  const products = Array.from({ length: count }, (_, i) => ({
    _id: new ObjectId(),
    name: `Filled product ${tag}-${i}`,
    description: 'Written by the benchmark to make the catalog big',
    priceCents: 100 + (i % 10_000),
    lowStockThreshold: 5,
    createdAt: now,
    updatedAt: now,
  }));
  const stocks = products.map((p) => ({ _id: p._id, stock: STOCK, initial: STOCK, restocked: 0, writtenOff: 0 }));
  const orders = Array.from({ length: count }, (_, i) => {
    const userId = users[i]._id.toHexString();
    const product = products[(i * 7919) % count]; // a prime stride: orders spread over the catalog
    const items = [{ productId: product._id.toHexString(), quantity: 1, name: product.name, unitPriceCents: product.priceCents }];
    return {
      _id: new ObjectId(),
      userId,
      status: 'confirmed',
      items,
      totalCents: product.priceCents,
      fingerprint: createHash('sha256').update(JSON.stringify({ userId, items: [{ productId: items[0].productId, quantity: 1 }] })).digest('hex'),
      createdAt: now,
      updatedAt: now,
    };
  });
  return { users, products, stocks, orders, userIds: users.map((u) => u._id.toHexString()), productIds: products.map((p) => p._id.toHexString()) };
}

/** Writes the documents into the databases behind `mongoUri` (users, products, orders), 1,000 a request. */
export async function insertDocuments(mongoUri: string, docs: Documents): Promise<void> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const targets: Array<[string, string, Record<string, unknown>[]]> = [
      ['users', 'users', docs.users],
      ['products', 'products', docs.products],
      ['products', 'stocks', docs.stocks],
      ['orders', 'orders', docs.orders],
    ];
    for (const [db, collection, all] of targets) {
      for (let i = 0; i < all.length; i += BATCH) await client.db(db).collection(collection).insertMany(all.slice(i, i + BATCH));
    }
  } finally {
    await client.close();
  }
}
