import { AnyEventContract, AnyRpcContract, AppName, EmptyRequest, event, ping, rpc, RpcContract, ServiceName } from './contract';
import { IdRequest } from './common/id.request';
import { PageRequest } from './common/page.request';
import { Page } from './common/page.response';
import { PingResponse } from './common/ping.response';
import { PlaceOrderMessage } from './orders/create-order.request';
import { ListOrdersRequest } from './orders/list-orders.request';
import { OrderCancelledEvent, OrderResponse } from './orders/order.response';
import { CreateProductRequest, UpdateProductMessage } from './products/create-product.request';
import { GetProductsRequest, ListProductsRequest } from './products/list-products.request';
import { ProductResponse, ProductStockLowEvent } from './products/product.response';
import { PRODUCT_VIEW_TOPIC } from './products/product-view';
import { StockMovementMessage, StockMovementResult } from './products/stock-movement.message';
import { AuthenticateMessage, CreateUserMessage } from './users/create-user.request';
import { UpdateUserMessage } from './users/update-user.request';
import { UserDeletedEvent } from './users/user.events';
import { UserResponse } from './users/user.response';

/** What a delete answers. */
export interface Deleted {
  id: string;
  deleted: true;
}

const byId = { name: 'user id', of: (r: { id: string }) => r.id };
const byProductId = { name: 'product id', of: (r: { id: string }) => r.id };
const byOrderId = { name: 'order id', of: (r: { id: string }) => r.id };

/**
 * Every request-reply pattern, grouped by the service that answers it. The one place a
 * pattern is declared: topics, reply topics, read patterns, the status pings and
 * docs/TOPICS.md are derived from here. Adding a pattern is one entry here, its handler
 * (`@MessagePattern(RPC.X.pattern)`) and its caller (`rpc.send(RPC.X, request)`).
 */
export const RPC = {
  // user-service
  USER_CREATE: rpc<CreateUserMessage, UserResponse>({ pattern: 'user.create', service: 'user-service', request: CreateUserMessage, reply: 'UserResponse', kind: 'write', callers: ['gateway'], description: 'POST /api/users (admin) and POST /api/auth/register' }),
  USER_AUTHENTICATE: rpc<AuthenticateMessage, UserResponse>({
    pattern: 'user.authenticate',
    service: 'user-service',
    request: AuthenticateMessage,
    reply: 'UserResponse',
    kind: 'read',
    callers: ['gateway'],
    description: 'POST /api/auth/login: checks the password; the gateway signs the token',
  }),
  USER_LIST: rpc<PageRequest, Page<UserResponse>>({ pattern: 'user.list', service: 'user-service', request: PageRequest, reply: 'UserPage', kind: 'read', callers: ['gateway'], description: 'GET /api/users' }),
  USER_GET: rpc<IdRequest, UserResponse>({
    pattern: 'user.get',
    service: 'user-service',
    request: IdRequest,
    reply: 'UserResponse',
    key: byId,
    kind: 'read',
    callers: ['gateway', 'order-service'],
    description: 'GET /api/users/:id; the order saga checks the user',
  }),
  USER_UPDATE: rpc<UpdateUserMessage, UserResponse>({ pattern: 'user.update', service: 'user-service', request: UpdateUserMessage, reply: 'UserResponse', key: byId, kind: 'write', callers: ['gateway'], description: 'PATCH /api/users/:id' }),
  USER_DELETE: rpc<IdRequest, Deleted>({ pattern: 'user.delete', service: 'user-service', request: IdRequest, reply: '{ id, deleted }', key: byId, kind: 'write', callers: ['gateway'], description: 'DELETE /api/users/:id' }),
  USER_PING: ping<PingResponse>('user', 'user-service'),

  // product-service
  PRODUCT_CREATE: rpc<CreateProductRequest, ProductResponse>({ pattern: 'product.create', service: 'product-service', request: CreateProductRequest, reply: 'ProductResponse', kind: 'write', callers: ['gateway'], description: 'POST /api/products' }),
  PRODUCT_LIST: rpc<ListProductsRequest, Page<ProductResponse>>({ pattern: 'product.list', service: 'product-service', request: ListProductsRequest, reply: 'ProductPage', kind: 'read', callers: ['gateway'], description: 'GET /api/products' }),
  PRODUCT_GET: rpc<IdRequest, ProductResponse>({ pattern: 'product.get', service: 'product-service', request: IdRequest, reply: 'ProductResponse', key: byProductId, kind: 'read', callers: ['gateway'], description: 'GET /api/products/:id' }),
  PRODUCT_GET_MANY: rpc<GetProductsRequest, ProductResponse[]>({
    pattern: 'product.get-many',
    service: 'product-service',
    request: GetProductsRequest,
    reply: 'ProductResponse[] (the ones that exist)',
    kind: 'read',
    callers: ['order-service'],
    description: 'prices the lines of an order whose reservations did not (a product-service older than 2026-12-02, during a rolling upgrade); the reserve answers name and unit price itself',
  }),
  PRODUCT_UPDATE: rpc<UpdateProductMessage, ProductResponse>({
    pattern: 'product.update',
    service: 'product-service',
    request: UpdateProductMessage,
    reply: 'ProductResponse',
    key: byProductId,
    kind: 'write',
    callers: ['gateway'],
    description: 'PATCH /api/products/:id (catalog fields only)',
  }),
  PRODUCT_DELETE: rpc<IdRequest, Deleted>({ pattern: 'product.delete', service: 'product-service', request: IdRequest, reply: '{ id, deleted }', key: byProductId, kind: 'write', callers: ['gateway'], description: 'DELETE /api/products/:id' }),
  /** Every stock movement, keyed by product id: one partition, so one consumer, applies a product's movements in order. */
  PRODUCT_STOCK: rpc<StockMovementMessage, StockMovementResult>({
    pattern: 'product.stock',
    service: 'product-service',
    request: StockMovementMessage,
    reply: 'StockMovementResult',
    key: { name: 'product id (one partition, so one writer, per product)', of: (m) => m.productId },
    kind: 'write',
    callers: ['gateway', 'order-service'],
    commanders: ['product-service'],
    description: "every stock movement: reserve (answering the product's name and unit price too, which the order copies), release (also after order.cancelled), adjust (POST /api/products/:id/stock)",
    // A late reserve takes nothing, but one redelivered after a crash between its stock
    // change and its record must record itself, or its release finds nothing to put back
    // (StockService.lateReserve). A late adjustment is skipped; releases are never late (mustApply).
    whenLate: 'handle',
  }),
  PRODUCT_PING: ping<PingResponse>('product', 'product-service'),

  // order-service
  ORDER_CREATE: rpc<PlaceOrderMessage, OrderResponse>({
    pattern: 'order.create',
    service: 'order-service',
    request: PlaceOrderMessage,
    reply: 'OrderResponse',
    key: { name: 'order id (retries of one order queue behind it)', of: (m) => m.orderId },
    kind: 'write',
    // Its saga reserves stock before the order is stored: a command redelivered after
    // order-service died mid-saga must release what it may have reserved, or that stock
    // would stay reserved for an order that does not exist (OrdersService.abandon).
    whenLate: 'handle',
    callers: ['gateway'],
    commanders: ['gateway'],
    description: 'POST /api/orders: runs the saga (a one-way command with Prefer: respond-async)',
  }),
  ORDER_LIST: rpc<ListOrdersRequest, Page<OrderResponse>>({ pattern: 'order.list', service: 'order-service', request: ListOrdersRequest, reply: 'OrderPage', kind: 'read', callers: ['gateway'], description: 'GET /api/orders' }),
  ORDER_GET: rpc<IdRequest, OrderResponse>({ pattern: 'order.get', service: 'order-service', request: IdRequest, reply: 'OrderResponse', key: byOrderId, kind: 'read', callers: ['gateway'], description: 'GET /api/orders/:id' }),
  ORDER_CANCEL: rpc<IdRequest, OrderResponse>({ pattern: 'order.cancel', service: 'order-service', request: IdRequest, reply: 'OrderResponse', key: byOrderId, kind: 'write', callers: ['gateway'], description: 'POST /api/orders/:id/cancel' }),
  ORDER_PING: ping<PingResponse>('order', 'order-service'),
} as const satisfies Record<string, AnyRpcContract>;

/** Fire-and-forget events; the entity id is the message key. */
export const EVENTS = {
  USER_CREATED: event<UserResponse>({ topic: 'user.created', payload: 'UserResponse', key: { name: 'user id', of: (u) => u.id }, producers: ['user-service'], consumers: [], description: 'a user was created' }),
  USER_DELETED: event<UserDeletedEvent>({
    topic: 'user.deleted',
    payload: UserDeletedEvent,
    key: { name: 'user id', of: (e) => e.id },
    producers: ['user-service'],
    consumers: [{ app: 'order-service', does: 'cancels the user’s confirmed orders' }],
    description: 'a user was deleted',
  }),
  PRODUCT_CREATED: event<ProductResponse>({ topic: 'product.created', payload: 'ProductResponse', key: { name: 'product id', of: (p) => p.id }, producers: ['product-service'], consumers: [], description: 'a product was created' }),
  PRODUCT_STOCK_LOW: event<ProductStockLowEvent>({
    topic: 'product.stock-low',
    payload: '{ productId, stock, lowStockThreshold }',
    key: { name: 'product id', of: (e) => e.productId },
    producers: ['product-service'],
    consumers: [],
    description: 'a movement took stock below the threshold',
  }),
  ORDER_CREATED: event<OrderResponse>({ topic: 'order.created', payload: 'OrderResponse', key: { name: 'order id', of: (o) => o.id }, producers: ['order-service'], consumers: [], description: 'an order was confirmed' }),
  ORDER_CANCELLED: event<OrderCancelledEvent>({
    topic: 'order.cancelled',
    payload: OrderCancelledEvent,
    key: { name: 'order id', of: (e) => e.orderId },
    producers: ['order-service'],
    consumers: [{ app: 'product-service', does: 'puts the stock back, once per order and product' }],
    description: 'an order was cancelled',
  }),
} as const satisfies Record<string, AnyEventContract>;

/** Where a message that a consumer cannot understand is set aside for a person to read. */
export const DEAD_LETTER_TOPIC = 'shop.dead-letter';

/** Compacted topics that hold the current state of each key (their last record), read whole by those who keep a copy. */
export const CHANGELOG_TOPICS: readonly string[] = [PRODUCT_VIEW_TOPIC];

export const RPC_CONTRACTS: readonly AnyRpcContract[] = Object.values(RPC);
export const EVENT_CONTRACTS: readonly AnyEventContract[] = Object.values(EVENTS);

const READS = new Set(RPC_CONTRACTS.filter((c) => c.kind === 'read').map((c) => c.pattern));

const HANDLED_WHEN_LATE = new Set(RPC_CONTRACTS.filter((c) => c.whenLate === 'handle').map((c) => c.pattern));

/** True for a pattern handed to its handler even after its caller stopped waiting (see RpcContract.whenLate). */
export function isHandledWhenLate(pattern: string): boolean {
  return HANDLED_WHEN_LATE.has(pattern);
}

/** True for a pattern that changes nothing (answered side by side, see RpcContract.kind). */
export function isReadPattern(pattern: string): boolean {
  return READS.has(pattern);
}

/** The topic `app` reads every answer from, whatever the pattern. */
export function replyTopicOf(app: string): string {
  return `${app}.replies`;
}

/** The patterns `app` waits for answers to: it listens on its reply topic when there is one. */
export function patternsCalledBy(app: AppName): AnyRpcContract[] {
  return RPC_CONTRACTS.filter((c) => c.callers.includes(app));
}

/** The apps that wait for answers, each with a reply topic of its own. */
export function callers(): AppName[] {
  return [...new Set(RPC_CONTRACTS.flatMap((c) => c.callers))];
}

/** The liveness pattern of every service. */
export function pings(): { service: ServiceName; contract: RpcContract<EmptyRequest, PingResponse> }[] {
  return RPC_CONTRACTS.filter((c) => c.ping).map((c) => ({ service: c.service, contract: c as RpcContract<EmptyRequest, PingResponse> }));
}

/** Every topic, created up front (never by broker auto-creation). */
export function allTopics(): string[] {
  return [...RPC_CONTRACTS.map((c) => c.pattern), ...callers().map(replyTopicOf), ...EVENT_CONTRACTS.map((e) => e.topic), ...CHANGELOG_TOPICS, DEAD_LETTER_TOPIC];
}

