/**
 * Every Kafka topic the system uses, grouped by the service that owns (answers or
 * produces) it. Request-reply answers go to the caller's own `<app>.replies` topic
 * (or, with KAFKA_REPLY_TOPICS=per-pattern and in the stock profile, NestJS's `<pattern>.reply`).
 */
export const PATTERNS = {
  // user-service answers these
  USER_CREATE: 'user.create',
  USER_LIST: 'user.list',
  USER_GET: 'user.get',
  USER_UPDATE: 'user.update',
  USER_DELETE: 'user.delete',
  USER_PING: 'user.ping',
  // product-service answers these
  PRODUCT_CREATE: 'product.create',
  PRODUCT_LIST: 'product.list',
  PRODUCT_GET: 'product.get',
  PRODUCT_GET_MANY: 'product.get-many',
  PRODUCT_UPDATE: 'product.update',
  PRODUCT_DELETE: 'product.delete',
  /**
   * Every stock movement (reserve, release, restock, write-off), keyed by productId:
   * one partition, so one consumer, applies a product's movements in order.
   */
  PRODUCT_STOCK: 'product.stock',
  PRODUCT_PING: 'product.ping',
  // order-service answers these (order.create is also emitted, for Prefer: respond-async)
  ORDER_CREATE: 'order.create',
  ORDER_LIST: 'order.list',
  ORDER_GET: 'order.get',
  ORDER_CANCEL: 'order.cancel',
  ORDER_PING: 'order.ping',
} as const;
export type Pattern = (typeof PATTERNS)[keyof typeof PATTERNS];

/** Fire-and-forget events; the entity id is the message key. */
export const EVENTS = {
  // produced by user-service; order-service consumes user.deleted
  USER_CREATED: 'user.created',
  USER_DELETED: 'user.deleted',
  // produced by product-service
  PRODUCT_CREATED: 'product.created',
  PRODUCT_STOCK_LOW: 'product.stock-low',
  // produced by order-service; product-service consumes order.cancelled
  ORDER_CREATED: 'order.created',
  ORDER_CANCELLED: 'order.cancelled',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/**
 * Patterns that change nothing: a service may answer several of one partition at once
 * (a lost one is only a timeout for its caller, who may ask again). Every other
 * pattern is handled one message at a time, in partition order.
 */
export const READ_PATTERNS: readonly string[] = [
  PATTERNS.USER_LIST,
  PATTERNS.USER_GET,
  PATTERNS.USER_PING,
  PATTERNS.PRODUCT_LIST,
  PATTERNS.PRODUCT_GET,
  PATTERNS.PRODUCT_GET_MANY,
  PATTERNS.PRODUCT_PING,
  PATTERNS.ORDER_LIST,
  PATTERNS.ORDER_GET,
  PATTERNS.ORDER_PING,
];

/** Where a message that a consumer cannot understand is set aside for a person to read. */
export const DEAD_LETTER_TOPIC = 'shop.dead-letter';

/** NestJS's reply topic: one per pattern, read by every app that calls the pattern. */
export function replyTopicOf(pattern: string): string {
  return `${pattern}.reply`;
}

/** The apps that call request-reply patterns; each reads its answers from a topic of its own. */
export const CALLERS = ['gateway', 'order-service'] as const;

/** One reply topic per calling app (default), or NestJS's one per pattern. */
export type ReplyTopics = 'per-caller' | 'per-pattern';

/** The topic `app` reads every answer from, whatever the pattern. */
export function callerReplyTopic(app: string): string {
  return `${app}.replies`;
}

/** Patterns each service answers, so a service subscribes to exactly its own. */
export const PATTERNS_BY_SERVICE = {
  'user-service': [
    PATTERNS.USER_CREATE,
    PATTERNS.USER_LIST,
    PATTERNS.USER_GET,
    PATTERNS.USER_UPDATE,
    PATTERNS.USER_DELETE,
    PATTERNS.USER_PING,
  ],
  'product-service': [
    PATTERNS.PRODUCT_CREATE,
    PATTERNS.PRODUCT_LIST,
    PATTERNS.PRODUCT_GET,
    PATTERNS.PRODUCT_GET_MANY,
    PATTERNS.PRODUCT_UPDATE,
    PATTERNS.PRODUCT_DELETE,
    PATTERNS.PRODUCT_STOCK,
    PATTERNS.PRODUCT_PING,
  ],
  'order-service': [PATTERNS.ORDER_CREATE, PATTERNS.ORDER_LIST, PATTERNS.ORDER_GET, PATTERNS.ORDER_CANCEL, PATTERNS.ORDER_PING],
} as const;

/** Every topic, created up front (never by broker auto-creation). */
export function allTopics(replies: ReplyTopics = 'per-caller'): string[] {
  const patterns = Object.values(PATTERNS);
  const replyTopics = replies === 'per-caller' ? CALLERS.map(callerReplyTopic) : patterns.map(replyTopicOf);
  return [...patterns, ...replyTopics, ...Object.values(EVENTS), DEAD_LETTER_TOPIC];
}
