import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ERROR_CODES, Role } from '@shop/contracts';
import { PUBLIC_ROUTE, requestContext, ShopError } from '@shop/platform';
import type { FastifyRequest } from 'fastify';
import { Tokens } from './tokens';

const ROLES_KEY = 'shop:roles';

/** Only callers with one of these roles may call the route (or the controller's routes). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Every route needs a valid token unless it is `@Public()`; `@Roles()` narrows who may
 * call it (403 FORBIDDEN). The caller becomes part of the request context, so every
 * Kafka message the call causes names it (x-user-id, x-user-role) and services decide
 * ownership from that.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: Tokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (context.getType() !== 'http' || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const principal = this.tokens.verify(context.switchToHttp().getRequest<FastifyRequest>().headers.authorization);
    const store = requestContext.get();
    if (store) store.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(principal.role)) {
      throw new ShopError(403, ERROR_CODES.FORBIDDEN, `This needs the ${roles.join(' or ')} role`);
    }
    return true;
  }
}
