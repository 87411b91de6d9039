/**
 * kafkajs 2.2.4 (its last release) keeps a 1 ms timer running forever on every broker
 * connection that has had an answer: after each answer its request queue re-arms a
 * "check pending requests" timer with the time left of a throttle that is over (a
 * negative delay, which Node runs after 1 ms), and the timer re-arms itself. Every app
 * woke about 1,800 times a second with nothing to do, 0.02 of a core each
 * (tulios/kafkajs#1556; the fix, PR #1667, was never released). This applies that fix:
 * a check is scheduled only while requests wait, at the end of a throttle or after
 * kafkajs' own 10 ms. An answer, a timeout and every new request still check at once,
 * as before.
 *
 * Second, each connection checks its requests for a timeout every 100 ms (ten wakes a
 * second per connection, six to nine connections per app, with or without traffic).
 * Here the check runs ten times per request timeout, at most once a second: with the
 * apps' 10 s timeout a request that gets no answer fails at most 1 s late.
 */
// kafkajs has no types for its internals.
const RequestQueue: { prototype: RequestQueueInternals } = require('kafkajs/src/network/requestQueue');
const KAFKAJS_VERSION: string = require('kafkajs/package.json').version;

/** The release whose request queue this replaces a method of (checked by its unit test). */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10; // kafkajs' own
/** The request-timeout check runs this many times per timeout (kafkajs: every 100 ms)... */
const TIMEOUT_CHECKS_PER_TIMEOUT = 10;
/** ...but never less often than this, nor more often than kafkajs' 100 ms. */
const MAX_TIMEOUT_CHECK_INTERVAL_MS = 1000;
const MIN_TIMEOUT_CHECK_INTERVAL_MS = 100;

/** How often a connection checks its requests for a timeout, given the client's request timeout. */
export function timeoutCheckIntervalMs(requestTimeoutMs: number): number {
  return Math.min(requestTimeoutMs, Math.max(MIN_TIMEOUT_CHECK_INTERVAL_MS, Math.min(MAX_TIMEOUT_CHECK_INTERVAL_MS, requestTimeoutMs / TIMEOUT_CHECKS_PER_TIMEOUT)));
}

interface RequestQueueInternals {
  pending: unknown[];
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  requestTimeout: number;
  enforceRequestTimeout: boolean;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  isConnected(): boolean;
  destroy(): void;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
}

export const kafkajsIdleFixApplied = KAFKAJS_VERSION === PATCHED_KAFKAJS_VERSION;

if (kafkajsIdleFixApplied) {
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals) {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
    const throttledForMs = this.throttledUntil - Date.now();
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS);
  };

  // kafkajs' own, but for the interval.
  RequestQueue.prototype.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck(this: RequestQueueInternals) {
    if (!this.enforceRequestTimeout) return;
    this.destroy();
    this.requestTimeoutIntervalId = setInterval(() => {
      this.inflight.forEach((request) => {
        if (Date.now() - request.sentAt > request.requestTimeout) request.timeoutRequest();
      });
      if (!this.isConnected()) this.destroy();
    }, timeoutCheckIntervalMs(this.requestTimeout));
  };
}
