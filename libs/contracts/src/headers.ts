/** Kafka header names this system sets on its messages (lowercase, like HTTP). */
export const HEADERS = {
  /** The HTTP call that caused this message; the same value as the X-Request-Id HTTP header. */
  REQUEST_ID: 'x-request-id',
  /** Unique per event; consumers dedupe on it. */
  EVENT_ID: 'x-event-id',
  /** The event name, so a person in Kafka UI knows what the value is. */
  EVENT_TYPE: 'x-event-type',
  /** The process that produced the message. */
  PRODUCER: 'x-producer',
  /** Epoch milliseconds after which the caller no longer waits; a service skips later requests. */
  DEADLINE: 'x-deadline',
  CONTENT_TYPE: 'content-type',
  /** On a reply: the pattern it answers (the caller's reply topic holds the answers to all its calls). */
  PATTERN: 'x-pattern',
  /** The caller the gateway authenticated (its user id); absent on what the system does by itself. */
  USER_ID: 'x-user-id',
  /** That caller's role (`customer` or `admin`). */
  USER_ROLE: 'x-user-role',
} as const;
