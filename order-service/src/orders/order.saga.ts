import { Injectable } from '@nestjs/common';
import { ERROR_CODES, OrderItemRequest, ProductResponse, RPC, stockMovement, StockMovementResult, UserResponse } from '@shop/contracts';
import { RpcClient, ShopError } from '@shop/platform';
import { OrderLine } from './schemas/order.schema';
import { StockReleases } from './stock-releases';

/**
 * The order's calls to the other services: the user must exist, and stock is reserved for
 * every item (each reservation answers its product's name and unit price, and refuses a
 * product that does not exist), or every reservation that may have been made is released
 * before the order is refused.
 */
@Injectable()
export class OrderSaga {
  constructor(
    private readonly rpc: RpcClient,
    private readonly releases: StockReleases,
  ) {}

  /**
   * Resolves with the priced lines once every item is reserved; throws (having compensated)
   * otherwise. The user is checked while the items are reserved: one round trip, and two
   * calls fewer per order than reading the products first. What an unknown user's order
   * reserved meanwhile is released, as for any refused order.
   */
  async reserve(orderId: string, userId: string, items: OrderItemRequest[]): Promise<OrderLine[]> {
    const [user, attempts] = await Promise.all([
      settled(this.userMustExist(userId)),
      Promise.allSettled(items.map((item) => this.rpc.send(RPC.PRODUCT_STOCK, stockMovement.reserve(orderId, item)))),
    ]);
    const rejected = attempts.flatMap((attempt, i) => (attempt.status === 'rejected' ? [{ item: items[i], error: attempt.reason as unknown }] : []));
    const [unknown, short] = [ERROR_CODES.PRODUCT_NOT_FOUND, ERROR_CODES.INSUFFICIENT_STOCK].map((code) => rejected.filter((r) => isShopError(r.error, code)));
    if (user.status === 'rejected' || rejected.length > 0) {
      // Anything not refused outright may have been reserved (a timeout is an unknown
      // outcome): it is released. The release follows the reserve on the same partition.
      await this.release(orderId, items.filter((item) => ![...unknown, ...short].some((r) => r.item === item)));
      throw refusalOf(user, unknown.map((r) => r.item.productId), short.map((r) => r.error as ShopError), rejected.map((r) => r.error));
    }
    const reserved = attempts.map((attempt) => (attempt as PromiseFulfilledResult<StockMovementResult>).value);
    try {
      return await this.priced(items, reserved);
    } catch (error) {
      await this.release(orderId, items);
      throw error;
    }
  }

  /** Puts back what the order may have reserved: confirmed, or written down (held, with the database away) and sent again until it is (StockReleases). */
  release(orderId: string, items: { productId: string }[]): Promise<void> {
    return this.releases.release(orderId, items.map((item) => item.productId));
  }

  /**
   * The lines with the names and unit prices the reservations answered. A product-service
   * older than 2026-12-02 (a rolling upgrade under way) answers neither: those products are
   * read with product.get-many, as the saga did before.
   */
  private async priced(items: OrderItemRequest[], reserved: StockMovementResult[]): Promise<OrderLine[]> {
    const unpriced = items.filter((_, i) => reserved[i].unitPriceCents === undefined).map((item) => item.productId);
    const read = unpriced.length > 0 ? await this.productsMustExist(unpriced) : new Map<string, ProductResponse>();
    return items.map((item, i) => {
      const { name, unitPriceCents } = reserved[i].unitPriceCents !== undefined ? reserved[i] : { name: read.get(item.productId)!.name, unitPriceCents: read.get(item.productId)!.priceCents };
      return { productId: item.productId, quantity: item.quantity, name: name ?? '', unitPriceCents };
    });
  }

  private async userMustExist(userId: string): Promise<UserResponse> {
    try {
      return await this.rpc.send(RPC.USER_GET, { id: userId });
    } catch (error) {
      if (error instanceof ShopError && error.code === ERROR_CODES.USER_NOT_FOUND) {
        throw new ShopError(422, ERROR_CODES.USER_NOT_FOUND, `User ${userId} does not exist`, { userId });
      }
      throw error;
    }
  }

  private async productsMustExist(ids: string[]): Promise<Map<string, ProductResponse>> {
    const found = await this.rpc.send(RPC.PRODUCT_GET_MANY, { ids });
    const byId = new Map(found.map((p) => [p.id, p]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0) throw unknownProducts(missing);
    return byId;
  }
}

/**
 * Why the order is refused: an unknown user, then unknown products (422: the
 * request names what does not exist), then products short of stock (409), then the first
 * other failure (a timeout: the outcome is unknown), the user check's first. `rejected`:
 * every reservation's failure, the refusals among them.
 */
function refusalOf(user: PromiseSettledResult<UserResponse>, unknown: string[], short: ShopError[], rejected: unknown[]): unknown {
  if (user.status === 'rejected' && isShopError(user.reason, ERROR_CODES.USER_NOT_FOUND)) return user.reason;
  if (unknown.length > 0) return unknownProducts(unknown);
  if (short.length > 0) {
    return new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, `Not enough stock for ${short.length} product${short.length > 1 ? 's' : ''}`, {
      products: short.map((error) => error.details),
    });
  }
  if (user.status === 'rejected') return user.reason;
  return rejected[0];
}

function unknownProducts(ids: string[]): ShopError {
  return new ShopError(422, ERROR_CODES.PRODUCT_NOT_FOUND, `Unknown product${ids.length > 1 ? 's' : ''}: ${ids.join(', ')}`, { productIds: ids });
}

function isShopError(error: unknown, code: string): boolean {
  return error instanceof ShopError && error.code === code;
}

function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([promise]).then(([result]) => result);
}
