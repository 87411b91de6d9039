import { IdRequest } from '../common/id.request';
import { PageRequest } from '../common/page.request';
import { PlaceOrderMessage } from '../orders/create-order.request';
import { ListOrdersRequest } from '../orders/list-orders.request';
import { OrderCancelledEvent } from '../orders/order.response';
import { CreateProductRequest, UpdateProductMessage } from '../products/create-product.request';
import { GetProductsRequest, ListProductsRequest } from '../products/list-products.request';
import { StockMovementMessage } from '../products/stock-movement.message';
import { CreateUserRequest } from '../users/create-user.request';
import { UpdateUserMessage } from '../users/update-user.request';
import { UserDeletedEvent } from '../users/user.events';
import { DEAD_LETTER_TOPIC, EVENTS, PATTERNS } from '../patterns';

type Payload = (new () => object) | string;

export interface PatternEntry {
  pattern: string;
  key: string;
  /** A class validated on receipt, or a description. */
  request: Payload;
  reply: string;
  callers: string[];
  handler: string;
  description: string;
}

export interface EventEntry {
  topic: string;
  key: string;
  payload: Payload;
  producers: string[];
  consumers: string[];
  description: string;
}

const GATEWAY = 'gateway';

/** Every request-reply pattern: what it carries, who sends it and who answers. */
export const PATTERN_CATALOGUE: PatternEntry[] = [
  { pattern: PATTERNS.USER_CREATE, key: 'none', request: CreateUserRequest, reply: 'UserResponse', callers: [GATEWAY], handler: 'user-service', description: 'POST /api/users' },
  { pattern: PATTERNS.USER_LIST, key: 'none', request: PageRequest, reply: 'UserPage', callers: [GATEWAY], handler: 'user-service', description: 'GET /api/users' },
  { pattern: PATTERNS.USER_GET, key: 'user id', request: IdRequest, reply: 'UserResponse', callers: [GATEWAY, 'order-service'], handler: 'user-service', description: 'GET /api/users/:id; the order saga checks the user' },
  { pattern: PATTERNS.USER_UPDATE, key: 'user id', request: UpdateUserMessage, reply: 'UserResponse', callers: [GATEWAY], handler: 'user-service', description: 'PATCH /api/users/:id' },
  { pattern: PATTERNS.USER_DELETE, key: 'user id', request: IdRequest, reply: '{ id, deleted }', callers: [GATEWAY], handler: 'user-service', description: 'DELETE /api/users/:id' },
  { pattern: PATTERNS.USER_PING, key: 'none', request: '{}', reply: 'PingResponse', callers: [GATEWAY], handler: 'user-service', description: 'GET /api/status' },
  { pattern: PATTERNS.PRODUCT_CREATE, key: 'none', request: CreateProductRequest, reply: 'ProductResponse', callers: [GATEWAY], handler: 'product-service', description: 'POST /api/products' },
  { pattern: PATTERNS.PRODUCT_LIST, key: 'none', request: ListProductsRequest, reply: 'ProductPage', callers: [GATEWAY], handler: 'product-service', description: 'GET /api/products' },
  { pattern: PATTERNS.PRODUCT_GET, key: 'product id', request: IdRequest, reply: 'ProductResponse', callers: [GATEWAY], handler: 'product-service', description: 'GET /api/products/:id' },
  { pattern: PATTERNS.PRODUCT_GET_MANY, key: 'none', request: GetProductsRequest, reply: 'ProductResponse[] (the ones that exist)', callers: ['order-service'], handler: 'product-service', description: 'the order saga reads every product once' },
  { pattern: PATTERNS.PRODUCT_UPDATE, key: 'product id', request: UpdateProductMessage, reply: 'ProductResponse', callers: [GATEWAY], handler: 'product-service', description: 'PATCH /api/products/:id (catalog fields only)' },
  { pattern: PATTERNS.PRODUCT_DELETE, key: 'product id', request: IdRequest, reply: '{ id, deleted }', callers: [GATEWAY], handler: 'product-service', description: 'DELETE /api/products/:id' },
  {
    pattern: PATTERNS.PRODUCT_STOCK,
    key: 'product id (one partition, so one writer, per product)',
    request: StockMovementMessage,
    reply: 'StockMovementResult',
    callers: [GATEWAY, 'order-service', 'product-service (releases after order.cancelled, no reply)'],
    handler: 'product-service',
    description: 'every stock movement: reserve, release, adjust (POST /api/products/:id/stock)',
  },
  { pattern: PATTERNS.PRODUCT_PING, key: 'none', request: '{}', reply: 'PingResponse', callers: [GATEWAY], handler: 'product-service', description: 'GET /api/status' },
  {
    pattern: PATTERNS.ORDER_CREATE,
    key: 'order id (retries of one order queue behind it)',
    request: PlaceOrderMessage,
    reply: 'OrderResponse',
    callers: [`${GATEWAY} (request-reply, or emitted for Prefer: respond-async)`],
    handler: 'order-service',
    description: 'POST /api/orders: runs the saga',
  },
  { pattern: PATTERNS.ORDER_LIST, key: 'none', request: ListOrdersRequest, reply: 'OrderPage', callers: [GATEWAY], handler: 'order-service', description: 'GET /api/orders' },
  { pattern: PATTERNS.ORDER_GET, key: 'order id', request: IdRequest, reply: 'OrderResponse', callers: [GATEWAY], handler: 'order-service', description: 'GET /api/orders/:id' },
  { pattern: PATTERNS.ORDER_CANCEL, key: 'order id', request: IdRequest, reply: 'OrderResponse', callers: [GATEWAY], handler: 'order-service', description: 'POST /api/orders/:id/cancel' },
  { pattern: PATTERNS.ORDER_PING, key: 'none', request: '{}', reply: 'PingResponse', callers: [GATEWAY], handler: 'order-service', description: 'GET /api/status' },
];

/** Every event: fire-and-forget, the entity id as key. */
export const EVENT_CATALOGUE: EventEntry[] = [
  { topic: EVENTS.USER_CREATED, key: 'user id', payload: 'UserResponse', producers: ['user-service'], consumers: [], description: 'a user was created' },
  { topic: EVENTS.USER_DELETED, key: 'user id', payload: UserDeletedEvent, producers: ['user-service'], consumers: ['order-service (cancels the user’s confirmed orders)'], description: 'a user was deleted' },
  { topic: EVENTS.PRODUCT_CREATED, key: 'product id', payload: 'ProductResponse', producers: ['product-service'], consumers: [], description: 'a product was created' },
  { topic: EVENTS.PRODUCT_STOCK_LOW, key: 'product id', payload: '{ productId, stock, lowStockThreshold }', producers: ['product-service'], consumers: [], description: 'a movement took stock below the threshold' },
  { topic: EVENTS.ORDER_CREATED, key: 'order id', payload: 'OrderResponse', producers: ['order-service'], consumers: [], description: 'an order was confirmed' },
  { topic: EVENTS.ORDER_CANCELLED, key: 'order id', payload: OrderCancelledEvent, producers: ['order-service'], consumers: ['product-service (puts the stock back, once per order and product)'], description: 'an order was cancelled' },
  {
    topic: DEAD_LETTER_TOPIC,
    key: 'the original key',
    payload: 'the original value, unchanged',
    producers: ['every service'],
    consumers: ['a person, in Kafka UI'],
    description: 'messages a service could not handle and could not answer',
  },
];
