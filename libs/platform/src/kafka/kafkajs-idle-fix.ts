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
 */
// kafkajs has no types for its internals.
const RequestQueue: { prototype: RequestQueueInternals } = require('kafkajs/src/network/requestQueue');
const KAFKAJS_VERSION: string = require('kafkajs/package.json').version;

/** The release whose request queue this replaces a method of (checked by its unit test). */
export const PATCHED_KAFKAJS_VERSION = '2.2.4';
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10; // kafkajs' own

interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
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
}
