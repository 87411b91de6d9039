import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ERROR_CODES, isRole, Principal, TokenResponse, UserResponse } from '@shop/contracts';
import { ShopError } from '@shop/platform';
import { GatewayConfig, ttlSeconds } from '../config';

const OBJECT_ID = /^[0-9a-f]{24}$/;

interface Claims {
  sub: string;
  role: string;
}

/**
 * Access tokens: HS256 JWTs naming the user (`sub`) and its role, for JWT_TTL. Only
 * HS256 is accepted when verifying, so `alg: none` and tokens of other algorithms fail.
 */
@Injectable()
export class Tokens {
  private readonly expiresIn: number;

  constructor(
    private readonly jwt: JwtService,
    config: GatewayConfig,
  ) {
    this.expiresIn = ttlSeconds(config.JWT_TTL);
  }

  issue(user: UserResponse): TokenResponse {
    const claims: Claims = { sub: user.id, role: user.role };
    return { accessToken: this.jwt.sign(claims, { algorithm: 'HS256', expiresIn: this.expiresIn }), tokenType: 'Bearer', expiresIn: this.expiresIn };
  }

  /** The caller an `Authorization` header names, or 401 UNAUTHENTICATED saying what is wrong with it. */
  verify(authorization: string | undefined): Principal {
    if (!authorization) throw unauthenticated('This route needs `Authorization: Bearer <token>` (POST /api/auth/login gives one)');
    const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw unauthenticated('The Authorization header must be `Bearer <token>`');
    let claims: Partial<Claims>;
    try {
      claims = this.jwt.verify<Claims>(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = error instanceof Error && error.name === 'TokenExpiredError';
      throw unauthenticated(expired ? 'The token has expired; log in again' : 'The token is not valid');
    }
    if (typeof claims.sub !== 'string' || !OBJECT_ID.test(claims.sub) || !isRole(claims.role)) throw unauthenticated('The token does not name a user and role');
    return { id: claims.sub, role: claims.role };
  }
}

function unauthenticated(message: string): ShopError {
  return new ShopError(401, ERROR_CODES.UNAUTHENTICATED, message);
}
