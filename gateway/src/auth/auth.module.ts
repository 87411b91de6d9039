import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { ThrottlerModule } from '@nestjs/throttler';
import { jwtSecret, SecretSeal, secretSealProvider } from '@shop/platform';
import { GatewayConfig } from '../config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { RateLimitGuard, rateLimits } from './rate-limit';
import { Tokens } from './tokens';

/**
 * Who is calling: rate limits first (so floods of bad tokens are limited too), then the
 * token and role check, on every route of the gateway.
 */
@Module({
  imports: [
    // A KeyObject, not the string: given a string, jsonwebtoken first tries it as a PEM
    // public key on every verify (createPublicKey throws, then it builds a secret key), which
    // took a fifth of the gateway's CPU on an authenticated read (docs/BENCHMARKS.md).
    JwtModule.registerAsync({ inject: [GatewayConfig], useFactory: (config: GatewayConfig) => ({ secret: createSecretKey(Buffer.from(jwtSecret(config))) }) }),
    ThrottlerModule.forRootAsync({ inject: [GatewayConfig], useFactory: (config: GatewayConfig) => rateLimits(config.RATE_LIMIT_PER_MINUTE) }),
  ],
  controllers: [AuthController],
  providers: [
    Tokens,
    secretSealProvider,
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [SecretSeal],
})
export class AuthModule {}
