import * as fs from 'node:fs';
import * as path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';

/** Must match EXAMPLE_IDS in libs/contracts (the Swagger examples); a unit test checks it. */
export const DEMO = {
  userId: '6650f0c2a1b2c3d4e5f60718',
  productId: '6650f0c2a1b2c3d4e5f60719',
  email: 'demo@example.com',
};

/** Written in the stack's data folder once the examples were seeded: later starts leave the data as its users left it. */
const MARKER = 'seeded';

/**
 * Seeds a new stack with the user and product that Swagger's examples name, so an example
 * pasted into Swagger UI works on a fresh stack. Written straight to the services'
 * databases (no events), once per stack: what a user later deletes or changes stays so.
 * Best effort: it never fails the start. Returns the lines to print.
 */
export async function seedDemoData(mongoUri: string, dataDir: string): Promise<string[]> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const users = client.db('users').collection('users');
    const products = client.db('products').collection('products');
    const userId = new ObjectId(DEMO.userId);
    const productId = new ObjectId(DEMO.productId);
    const marker = path.join(dataDir, MARKER);
    if (fs.existsSync(marker)) {
      const [user, product] = await Promise.all([users.findOne({ _id: userId }), products.findOne({ _id: productId })]);
      const gone = [...(user ? [] : [`user ${DEMO.userId}`]), ...(product ? [] : [`product ${DEMO.productId}`])];
      return gone.length === 0 ? [] : [`the Swagger examples name ${gone.join(' and ')}, deleted since; \`npm run reset\` brings them back (and deletes all other data)`];
    }
    const lines: string[] = [];
    const now = new Date();
    const insert = async (what: string, write: () => Promise<unknown>) => {
      try {
        await write();
        lines.push(`seeded the Swagger examples' ${what}`);
      } catch (error) {
        const why = (error as { code?: number }).code === 11000 || /duplicate|unique/i.test(String(error)) ? 'its id or e-mail is taken' : String(error);
        lines.push(`could not seed the Swagger examples' ${what} (${why}); the examples may name what does not exist`);
      }
    };
    if (!(await users.findOne({ _id: userId }))) {
      await insert(`user ${DEMO.userId}`, () => users.insertOne({ _id: userId, email: DEMO.email, name: 'Demo Buyer', createdAt: now, updatedAt: now }));
    }
    if (!(await products.findOne({ _id: productId }))) {
      await insert(`product ${DEMO.productId} (1000 in stock)`, async () => {
        await products.insertOne({ _id: productId, name: 'Mechanical keyboard', description: 'Tenkeyless, brown switches', priceCents: 8999, lowStockThreshold: 5, createdAt: now, updatedAt: now });
        await client.db('products').collection('stocks').insertOne({ _id: productId, stock: 1000, initial: 1000, restocked: 0, writtenOff: 0 });
      });
    }
    fs.writeFileSync(marker, `${now.toISOString()}\n`);
    return lines;
  } catch (error) {
    return [`could not seed the Swagger examples (${error instanceof Error ? error.message : String(error)}); the stack runs without them`];
  } finally {
    await client.close();
  }
}
