import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfig, undocumentedVariables } from '@shop/platform';
import { UserServiceConfig } from './config';

describe('UserServiceConfig', () => {
  it('creates no account unless a password is given, and refuses a short one', () => {
    const config = readConfig(UserServiceConfig, {}, { PORT: 3001 });
    assert.deepEqual([config.ADMIN_EMAIL, config.ADMIN_PASSWORD, config.DEMO_PASSWORD], ['admin@example.com', undefined, undefined]);
    assert.throws(() => readConfig(UserServiceConfig, { ADMIN_PASSWORD: 'short' }, { PORT: 3001 }), /ADMIN_PASSWORD must be 10 to 128 characters/);
  });

  for (const file of ['README.md', '.env.example']) {
    it(`is documented, every variable, in ${file}`, () => assert.deepEqual(undocumentedVariables(UserServiceConfig, file), []));
  }
});
