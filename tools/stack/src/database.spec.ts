import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseArgs, parseDatabase } from './database';

describe('the database server', () => {
  it('runs FerretDB on SQLite in a folder, or on PostgreSQL at a URL, on 127.0.0.1', () => {
    assert.deepEqual(databaseArgs('ferretdb', 27017, { dir: '/data/ferretdb' }), ['-listen', '127.0.0.1:27017', '-sqlite-dir', '/data/ferretdb']);
    assert.deepEqual(databaseArgs('ferretdb', 27017, { postgresqlUrl: 'postgres://postgres@/postgres?host=%2Fdata&port=5433' }), [
      '-listen',
      '127.0.0.1:27017',
      '-handler',
      'postgresql',
      '-postgresql-url',
      'postgres://postgres@/postgres?host=%2Fdata&port=5433',
    ]);
    assert.deepEqual(databaseArgs('mongod', 27017, { dir: '/data/mongo' }), ['--dbpath', '/data/mongo', '--bind_ip', '127.0.0.1', '--port', '27017']);
    assert.throws(() => databaseArgs('mongod', 27017, { postgresqlUrl: 'postgres://x' }), /only FerretDB/);
  });

  it('takes ferretdb-sqlite or ferretdb-postgresql, and nothing when none is given', () => {
    assert.equal(parseDatabase('ferretdb-postgresql', '--database'), 'ferretdb-postgresql');
    assert.equal(parseDatabase('ferretdb-sqlite', 'STACK_DATABASE'), 'ferretdb-sqlite');
    assert.equal(parseDatabase(undefined, '--database'), undefined);
    assert.equal(parseDatabase('', 'STACK_DATABASE'), undefined);
    assert.throws(() => parseDatabase('postgres', 'STACK_DATABASE'), /STACK_DATABASE takes ferretdb-sqlite or ferretdb-postgresql, not "postgres"/);
  });
});
