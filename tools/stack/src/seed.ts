import { MongoClient, ObjectId } from 'mongodb';

/** Must match EXAMPLE_IDS in libs/contracts (the Swagger examples); a unit test checks it. */
export const DEMO = {
  userId: '6650f0c2a1b2c3d4e5f60718',
  productId: '6650f0c2a1b2c3d4e5f60719',
};

/**
 * Seeds the dev stack with the user and product that Swagger's examples name, so an
 * example pasted into Swagger UI works on a fresh stack. Written straight to the
 * services' databases (no events), only where missing: a demo, not a migration.
 */
export async function seedDemoData(mongoUri: string): Promise<{ created: string[] }> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  const created: string[] = [];
  const now = new Date();
  try {
    await client.connect();
    const users = client.db('users').collection('users');
    const userId = new ObjectId(DEMO.userId);
    if (!(await users.findOne({ _id: userId }))) {
      await users.insertOne({ _id: userId, email: 'demo@example.com', name: 'Demo Buyer', createdAt: now, updatedAt: now });
      created.push(`user ${DEMO.userId}`);
    }
    const productId = new ObjectId(DEMO.productId);
    const products = client.db('products').collection('products');
    if (!(await products.findOne({ _id: productId }))) {
      await products.insertOne({ _id: productId, name: 'Mechanical keyboard', description: 'Tenkeyless, brown switches', priceCents: 8999, lowStockThreshold: 5, createdAt: now, updatedAt: now });
      await client.db('products').collection('stocks').insertOne({ _id: productId, stock: 1000, initial: 1000, restocked: 0, writtenOff: 0 });
      created.push(`product ${DEMO.productId} (1000 in stock)`);
    }
    return { created };
  } finally {
    await client.close();
  }
}
