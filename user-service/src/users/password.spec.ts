import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword, verifyPassword } from './password';

describe('password hashes', () => {
  it('verify the password they were made from, and no other', async () => {
    const stored = await hashPassword('correct-horse-battery');
    assert.match(stored, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal(stored.includes('correct-horse-battery'), false);
    assert.equal(await verifyPassword('correct-horse-battery', stored), true);
    assert.equal(await verifyPassword('correct-horse-batterY', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('are salted: the same password hashes differently each time', async () => {
    assert.notEqual(await hashPassword('same-password-twice'), await hashPassword('same-password-twice'));
  });

  it('refuse what is not one of their hashes instead of throwing', async () => {
    assert.equal(await verifyPassword('whatever-it-is', 'plain-text-password'), false);
    assert.equal(await verifyPassword('whatever-it-is', 'scrypt$1$1$1$$'), false);
  });
});
