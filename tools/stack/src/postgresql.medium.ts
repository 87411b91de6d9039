import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MongoClient, ObjectId } from 'mongodb';
import { startInfra } from './infra';
import { isPortFree } from './ports';

describe('FerretDB on the stack’s own PostgreSQL', () => {
  it('stores a document in PostgreSQL, keeps it across a restart, and stops both servers', { timeout: 120_000 }, async () => {
    const options = { name: 'medium-postgresql', databaseOnly: true, useEnv: false, database: 'ferretdb-postgresql' } as const;
    let infra = await startInfra({ ...options, fresh: true });
    const { port, dir } = infra.postgresql!;
    try {
      assert.deepEqual(infra.processes().map((p) => p.name), ['postgresql', 'ferretdb']);
      assert.equal(fs.readFileSync(path.join(dir, 'PG_VERSION'), 'utf8').trim(), '15');
      const client = new MongoClient(infra.mongoUri, { serverSelectionTimeoutMS: 5000 });
      try {
        await client.db('shop').collection('things').insertOne({ _id: 'one' as never, name: 'kept in PostgreSQL' });
      } finally {
        await client.close();
      }
      await infra.stop();
      assert.equal(await isPortFree(port), true, 'PostgreSQL stopped with the stack');

      infra = await startInfra({ ...options, postgresqlPort: port }); // the same cluster, not a new one
      const again = new MongoClient(infra.mongoUri, { serverSelectionTimeoutMS: 5000 });
      try {
        assert.deepEqual(await again.db('shop').collection('things').findOne({ _id: 'one' as never }), { _id: 'one', name: 'kept in PostgreSQL' });
      } finally {
        await again.close();
      }
    } finally {
      await infra.stop();
    }
    assert.equal(await isPortFree(port), true);
  });

  it('finds a document by _id through an index (GIN on _id), not a scan of its whole collection', { timeout: 120_000 }, async () => {
    const infra = await startInfra({ name: 'medium-postgresql-ids', databaseOnly: true, useEnv: false, database: 'ferretdb-postgresql', fresh: true });
    const client = new MongoClient(infra.mongoUri, { serverSelectionTimeoutMS: 5000 });
    try {
      const orders = client.db('shop').collection('orders');
      const docs = Array.from({ length: 2000 }, (_, i) => ({ _id: new ObjectId(), n: i }));
      await orders.insertMany(docs);
      const plan = JSON.stringify(await orders.find({ _id: docs[1234]._id }).explain());
      assert.match(plan, /"Index Name":"orders_[0-9a-f]+_id_gin"/, plan);
      assert.doesNotMatch(plan, /Seq Scan/, plan);
      assert.deepEqual(await orders.findOne({ _id: docs[1234]._id }), docs[1234]);
    } finally {
      await client.close();
      await infra.stop();
    }
  });
});
