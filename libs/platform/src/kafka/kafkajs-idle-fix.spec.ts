import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { kafkajsIdleFixApplied, PATCHED_KAFKAJS_VERSION, timeoutCheckIntervalMs } from './kafkajs-idle-fix';

const RequestQueue = require('kafkajs/src/network/requestQueue');
const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A broker connection's request queue; `sent` lists the correlation ids written to the socket. */
function queue(maxInFlightRequests: number | null = null) {
  const q = new RequestQueue({ maxInFlightRequests, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'b1', logger: silent });
  const sent: number[] = [];
  const push = (correlationId: number) =>
    q.push({ entry: { correlationId, apiKey: 0, apiName: 'Produce', apiVersion: 3, resolve() {}, reject() {} }, expectResponse: true, sendRequest: () => sent.push(correlationId) });
  const answer = (correlationId: number) => q.fulfillRequest({ correlationId, payload: Buffer.alloc(0), size: 0 });
  return { q, sent, push, answer };
}

describe('kafkajs idle fix', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it('is applied to the kafkajs release installed (a new release needs this fix checked again)', () => {
    assert.equal(require('kafkajs/package.json').version, PATCHED_KAFKAJS_VERSION);
    assert.equal(kafkajsIdleFixApplied, true);
  });

  it('leaves no timer armed once a request is answered and nothing waits', () => {
    const { q, sent, push, answer } = queue();
    push(1);
    answer(1);
    assert.deepEqual(sent, [1]);
    assert.equal(q.throttleCheckTimeoutId, null, 'kafkajs 2.2.4 re-arms a 1 ms check here, forever');
  });

  it('still sends a request that waited for the in-flight limit as soon as one is answered', () => {
    const { q, sent, push, answer } = queue(1);
    push(1);
    push(2);
    assert.deepEqual(sent, [1]);
    answer(1);
    assert.deepEqual(sent, [1, 2]);
    answer(2);
    mock.timers.tick(10); // the check armed while 2 waited finds nothing, and arms no other
    assert.equal(q.throttleCheckTimeoutId, null);
  });

  it('still sends a request that waited out a broker throttle when the throttle ends', () => {
    mock.timers.reset();
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    const { q, sent, push } = queue();
    q.maybeThrottle(50);
    push(1);
    assert.deepEqual(sent, []);
    mock.timers.tick(49);
    assert.deepEqual(sent, []);
    mock.timers.tick(1);
    assert.deepEqual(sent, [1]);
    assert.equal(q.throttleCheckTimeoutId, null);
  });

  it('checks for a request timeout once a second with a 10 s timeout, and still times the request out', () => {
    mock.timers.reset();
    mock.timers.enable({ apis: ['setInterval', 'Date'], now: 1_000_000 });
    const q = new RequestQueue({ maxInFlightRequests: null, requestTimeout: 10_000, enforceRequestTimeout: true, clientId: 'test', broker: 'b1', logger: silent });
    const failures: string[] = [];
    q.scheduleRequestTimeoutCheck();
    q.push({
      entry: { correlationId: 1, apiKey: 1, apiName: 'Fetch', apiVersion: 11, resolve() {}, reject: (e: Error) => failures.push(e.name) },
      expectResponse: true,
      sendRequest() {},
    });
    const tickBy100 = (ms: number) => {
      for (let i = 0; i < ms / 100; i++) mock.timers.tick(100);
    };
    tickBy100(10_900);
    assert.deepEqual(failures, [], "kafkajs' own 100 ms check would have timed it out by now");
    tickBy100(100);
    assert.deepEqual(failures, ['KafkaJSRequestTimeoutError'], 'timed out at most a tenth of its timeout late');
    q.destroy();
  });

  it('checks ten times per timeout, between 100 ms and 1 s apart, never less often than the timeout', () => {
    assert.equal(timeoutCheckIntervalMs(10_000), 1000);
    assert.equal(timeoutCheckIntervalMs(30_000), 1000);
    assert.equal(timeoutCheckIntervalMs(3000), 300);
    assert.equal(timeoutCheckIntervalMs(500), 100);
    assert.equal(timeoutCheckIntervalMs(50), 50);
  });
});
