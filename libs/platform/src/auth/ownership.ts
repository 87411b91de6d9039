import { ERROR_CODES, Principal } from '@shop/contracts';
import { requestContext } from '../context/request-context';
import { ShopError } from '../errors/shop.error';

/**
 * Whether the caller may act on what belongs to `userId`: an admin may, a customer only
 * for itself. No caller means the system acts by itself (a saga step, an event handler)
 * and may: the gateway names the caller on every message a call causes, and Kafka is
 * inside the trust boundary (docs/DECISIONS.md).
 */
export function mayActFor(userId: string, principal: Principal | undefined = requestContext.principal()): boolean {
  return principal === undefined || principal.role === 'admin' || principal.id === userId;
}

/** 403 FORBIDDEN unless the caller may act for `userId`. */
export function assertMayActFor(userId: string, what: string, principal: Principal | undefined = requestContext.principal()): void {
  if (!mayActFor(userId, principal)) throw new ShopError(403, ERROR_CODES.FORBIDDEN, `A customer may ${what} only for itself`);
}

/** 403 FORBIDDEN unless the caller is an admin (or the system itself). */
export function assertAdmin(what: string, principal: Principal | undefined = requestContext.principal()): void {
  if (principal !== undefined && principal.role !== 'admin') throw new ShopError(403, ERROR_CODES.FORBIDDEN, `Only an admin may ${what}`);
}
