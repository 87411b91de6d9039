import { Injectable } from '@nestjs/common';
import { ERROR_CODES, OrderItemRequest, ProductResponse, RPC, stockMovement, UserResponse } from '@shop/contracts';
import { RpcClient, ShopError } from '@shop/platform';
import { OrderLine } from './schemas/order.schema';
import { StockReleases } from './stock-releases';

/**
 * The order's calls to the other services: the user must exist, every product must
 * exist, and stock is reserved for every item, or every reservation that may have
 * been made is released before the order is refused.
 */
@Injectable()
export class OrderSaga {
  constructor(
    private readonly rpc: RpcClient,
    private readonly releases: StockReleases,
  ) {}

  /** Resolves with the priced lines once every item is reserved; throws (having compensated) otherwise. */
  async reserve(orderId: string, userId: string, items: OrderItemRequest[]): Promise<OrderLine[]> {
    const [, products] = await Promise.all([this.userMustExist(userId), this.productsMustExist(items.map((i) => i.productId))]);

    const attempts = await Promise.allSettled(
      items.map((item) =>
        this.rpc.send(RPC.PRODUCT_STOCK, stockMovement.reserve(orderId, item)),
      ),
    );
    const refused = attempts.flatMap((a, i) => (a.status === 'rejected' && isInsufficient(a.reason) ? [{ item: items[i], error: a.reason as ShopError }] : []));
    const failed = attempts.flatMap((a) => (a.status === 'rejected' && !isInsufficient(a.reason) ? [a.reason] : []));
    if (refused.length === 0 && failed.length === 0) {
      return items.map((item) => {
        const product = products.get(item.productId)!;
        return { productId: item.productId, quantity: item.quantity, name: product.name, unitPriceCents: product.priceCents };
      });
    }

    // Anything not refused outright may have been reserved (a timeout is an unknown
    // outcome): release it. The release follows the reserve on the same partition.
    const toRelease = items.filter((item) => !refused.some((r) => r.item === item));
    await this.release(orderId, toRelease);
    if (refused.length > 0) {
      throw new ShopError(409, ERROR_CODES.INSUFFICIENT_STOCK, `Not enough stock for ${refused.length} product${refused.length > 1 ? 's' : ''}`, {
        products: refused.map((r) => r.error.details),
      });
    }
    throw failed[0];
  }

  /** Puts back what the order may have reserved: confirmed, or written down and sent again until it is (StockReleases). */
  release(orderId: string, items: { productId: string }[]): Promise<void> {
    return this.releases.release(orderId, items.map((item) => item.productId));
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
    if (missing.length > 0) {
      throw new ShopError(422, ERROR_CODES.PRODUCT_NOT_FOUND, `Unknown product${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, { productIds: missing });
    }
    return byId;
  }
}

function isInsufficient(error: unknown): boolean {
  return error instanceof ShopError && error.code === ERROR_CODES.INSUFFICIENT_STOCK;
}
