import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_IDS } from '@shop/contracts';
import { MongoClient, ObjectId } from 'mongodb';

/** The product the Swagger examples name (the demo customer is user-service's DEMO_PASSWORD account). */
export const DEMO = { productId: EXAMPLE_IDS.product };

/** Written in the stack's data folder once the examples were seeded: later starts leave the data as its users left it. */
const MARKER = 'seeded';

/**
 * Seeds a new stack with the product that Swagger's examples name, so an example
 * pasted into Swagger UI works on a fresh stack. Written straight to the services'
 * databases (no events), once per stack: what a user later deletes or changes stays so.
 * Best effort: it never fails the start. Returns the lines to print. `marker`: the file
 * that says so, one per database the stack may run.
 */
export async function seedDemoData(mongoUri: string, dataDir: string, marker = MARKER): Promise<string[]> {
  const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    const products = client.db('products').collection('products');
    const productId = new ObjectId(DEMO.productId);
    const markerFile = path.join(dataDir, marker);
    if (fs.existsSync(markerFile)) {
      if (await products.findOne({ _id: productId })) return [];
      return [`the Swagger examples name product ${DEMO.productId}, deleted since; \`npm run reset\` brings it back (and deletes all other data)`];
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
    if (!(await products.findOne({ _id: productId }))) {
      await insert(`product ${DEMO.productId} (1000 in stock)`, async () => {
        await products.insertOne({ _id: productId, name: 'Mechanical keyboard', description: 'Tenkeyless, brown switches', priceCents: 8999, lowStockThreshold: 5, createdAt: now, updatedAt: now });
        await client.db('products').collection('stocks').insertOne({ _id: productId, stock: 1000, initial: 1000, restocked: 0, writtenOff: 0 });
      });
    }
    fs.writeFileSync(markerFile, `${now.toISOString()}\n`);
    return lines;
  } catch (error) {
    return [`could not seed the Swagger examples (${error instanceof Error ? error.message : String(error)}); the stack runs without them`];
  } finally {
    await client.close();
  }
}
