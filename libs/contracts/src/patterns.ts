/**
 * Every Kafka topic the system uses, grouped by the service that owns (answers or
 * produces) it. Request-reply patterns answer on `<pattern>.reply`.
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
  PRODUCT_PING: 'product.ping',
  // order-service answers these
  ORDER_PING: 'order.ping',
} as const;
export type Pattern = (typeof PATTERNS)[keyof typeof PATTERNS];

/** Fire-and-forget events; the entity id is the message key. */
export const EVENTS = {
  // produced by user-service
  USER_CREATED: 'user.created',
  USER_DELETED: 'user.deleted',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

/** Where a message that a consumer cannot understand is set aside for a person to read. */
export const DEAD_LETTER_TOPIC = 'shop.dead-letter';

export function replyTopicOf(pattern: string): string {
  return `${pattern}.reply`;
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
  'product-service': [PATTERNS.PRODUCT_PING],
  'order-service': [PATTERNS.ORDER_PING],
} as const;

/** Every topic, created up front (never by broker auto-creation). */
export function allTopics(): string[] {
  const patterns = Object.values(PATTERNS);
  return [...patterns, ...patterns.map(replyTopicOf), ...Object.values(EVENTS), DEAD_LETTER_TOPIC];
}
