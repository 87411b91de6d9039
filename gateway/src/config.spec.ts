import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readConfig, undocumentedVariables } from '@shop/platform';
import { GatewayConfig, ttlSeconds } from './config';

describe('GatewayConfig', () => {
  it('defaults to 15-minute tokens, a per-client limit a load tester passes, and no CORS', () => {
    const config = readConfig(GatewayConfig, {}, { PORT: 3000 });
    assert.deepEqual([config.JWT_TTL, ttlSeconds(config.JWT_TTL), config.RATE_LIMIT_PER_MINUTE, config.CORS_ORIGINS], ['15m', 900, 3_000_000, undefined]);
  });

  it('reads token lifetimes in seconds or with a unit, and refuses other shapes', () => {
    assert.deepEqual(['90', '90s', '15m', '2h', '1d'].map(ttlSeconds), [90, 90, 900, 7200, 86_400]);
    assert.throws(() => readConfig(GatewayConfig, { JWT_TTL: '15 minutes' }, { PORT: 3000 }), /JWT_TTL must be seconds/);
    assert.throws(() => readConfig(GatewayConfig, { CORS_ORIGINS: 'shop.example' }, { PORT: 3000 }), /CORS_ORIGINS must be/);
    assert.throws(() => readConfig(GatewayConfig, { JWT_SECRET: 'short' }, { PORT: 3000 }), /JWT_SECRET must be at least 32 characters/);
  });

  for (const file of ['README.md', '.env.example']) {
    it(`is documented, every variable, in ${file}`, () => assert.deepEqual(undocumentedVariables(GatewayConfig, file), []));
  }
});
