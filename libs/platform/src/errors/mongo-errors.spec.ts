import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDuplicateKey } from './mongo-errors';

describe('isDuplicateKey', () => {
  it('knows a unique-index clash as MongoDB and FerretDB on SQLite and on PostgreSQL report it', () => {
    assert.equal(isDuplicateKey({ code: 11000, message: 'E11000 duplicate key error' }), true);
    assert.equal(isDuplicateKey({ message: '[msg_findandmodify.go:196] UNIQUE constraint failed: users_5e7cc513._ferretdb_email' }), true);
    assert.equal(isDuplicateKey({ message: '[msg_findandmodify.go:196] ERROR: duplicate key value violates unique constraint "users_5e7cc513_email___b788067b_idx" (SQLSTATE 23505)' }), true);
  });

  it('takes nothing else for one', () => {
    for (const error of [null, 'E11000', { code: 11001 }, { message: 'ERROR: unsupported Unicode escape sequence (SQLSTATE 22P05)' }]) assert.equal(isDuplicateKey(error), false, JSON.stringify(error));
  });
});
