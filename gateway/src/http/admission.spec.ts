import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionBudgetMs, RouteAdmission, served } from './admission';

/**
 * A route that has been busy for `seconds` (one slow call in flight all along) and answered
 * `perSecond` calls a second meanwhile, on a clock the test moves.
 */
function routeAnswering(perSecond: number, budgetMs = 2500, seconds = 2) {
  let now = 1_000_000;
  const route = new RouteAdmission(budgetMs, () => now);
  assert.equal(route.enter().admitted, true); // the slow call
  for (let i = 0; i < perSecond * seconds; i++) {
    assert.equal(route.enter().admitted, true);
    now += 1000 / perSecond;
    route.leave();
  }
  return { route, advance: (ms: number) => (now += ms) };
}

/**
 * A route that took in `calls` at 0 ms and has answered 20 of them, the first at
 * `firstAnswerMs` and then one every `gapMs`, on a clock the test moves.
 */
function burstAnswered(calls: number, firstAnswerMs: number, gapMs: number) {
  let now = 0;
  const route = new RouteAdmission(2500, () => now);
  for (let i = 0; i < calls; i++) route.enter();
  now = firstAnswerMs;
  route.leave();
  for (let i = 1; i < 20; i++) {
    now += gapMs;
    route.leave();
  }
  return { route, advance: (ms: number) => (now += ms) };
}

describe('RouteAdmission', () => {
  it('refuses, before it can judge a rate, once a call has waited longer than the budget unanswered', () => {
    let now = 0;
    const route = new RouteAdmission(2500, () => now);
    for (let i = 0; i < 30; i++) assert.equal(route.enter().admitted, true, 'a burst goes in');
    now = 2400;
    assert.equal(route.enter().admitted, true, 'the oldest has waited 2.4 s: within the budget');
    now = 2600;
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 2600, retryAfterSeconds: 1 });
    for (let i = 0; i < 30; i++) route.leave();
    assert.equal(route.enter().admitted, true, 'the calls of the burst answered: the one left has waited 0.2 s');
  });

  it('lets a burst in whole, up to 256 at once, until 20 answers give it a rate to judge by', () => {
    const { route } = routeAnswering(9); // 18 answers in the window, 1 call in flight
    const verdicts = Array.from({ length: 260 }, () => route.enter());
    assert.equal(verdicts.filter((v) => v.admitted).length, 255);
    assert.deepEqual(verdicts[255], { admitted: false, retryAfterSeconds: 1 });
    route.leave();
    assert.equal(route.enter().admitted, false, 'refused once, judged from then on: 255 in flight at 9.5 per s is 27 s, so an answer frees no place');
  });

  it('once it has refused, judges by the answers it has, however few, until no call is in flight', () => {
    let now = 0;
    const route = new RouteAdmission(2500, () => now);
    for (let i = 0; i < 10; i++) route.enter();
    now = 2000;
    for (let i = 0; i < 100; i++) assert.equal(route.enter().admitted, true, 'too few answers to judge by, and no call has waited 2.5 s');
    now = 2600;
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 2600, retryAfterSeconds: 1 });
    now = 2700;
    for (let i = 0; i < 10; i++) route.leave(); // the first 10 answered: the oldest left has waited 0.7 s
    // 10 answers in the last 2 s, 100 in flight: the next would wait 101 / 5 per s = 20 s.
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 20200, retryAfterSeconds: 18 });
    for (let i = 0; i < 100; i++) route.leave();
    assert.equal(route.enter().admitted, true, 'every call answered: a new busy spell, let in');
  });

  it('counts no timed-out or abandoned call as capacity: a burst timing out does not let the next one in', () => {
    let now = 0;
    const route = new RouteAdmission(2500, () => now);
    for (let i = 0; i < 256; i++) route.enter(); // an unjudged burst, all admitted
    now = 2600;
    assert.equal(route.enter().admitted, false, '256 in flight: the unjudged queue is full');
    now = 5000;
    for (let i = 0; i < 200; i++) route.leave(false); // 504 after the RPC timeout, 200 at once
    assert.deepEqual(route.enter(), { admitted: false, retryAfterSeconds: 1 }, '56 still in flight, and no call served: nothing to judge a rate by');
    for (let i = 0; i < 5; i++) route.leave(true); // 5 served in 2 s of judging: 2.5 per s
    // 51 in flight: the next would wait 52 / 2.5 per s = 20.8 s (were the timeouts counted, 52 / 102.5 per s = 0.5 s).
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 20800, retryAfterSeconds: 19 });
  });

  it('asks a refused caller back within 30 s, however long the queue looks', () => {
    let now = 0;
    const route = new RouteAdmission(2500, () => now);
    for (let i = 0; i < 200; i++) route.enter();
    now = 2600;
    assert.equal(route.enter().admitted, false);
    route.leave(); // 1 answer in 2 s, 199 in flight: 400 s
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 400000, retryAfterSeconds: 30 });
  });

  it('refuses, at once, a call that would wait longer than the budget: (in flight + 1) / answers per second', () => {
    const { route } = routeAnswering(30); // 60 answers in 2 s, 1 call in flight
    const admitted = Array.from({ length: 74 }, () => route.enter());
    assert.ok(admitted.every((v) => v.admitted), 'the 75th in flight waits 75 / 30 per s = 2.5 s: still in');
    // 75 in flight: the next would wait 76 / 30 = 2.53 s (busy for 2 s: past a burst's slack).
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 2533, retryAfterSeconds: 1 });
  });

  it('lets a call wait up to twice the budget in the first 1.5 s of a busy spell, until it has refused one', () => {
    const { route, advance } = burstAnswered(60, 100, 50);
    // 20 per s, 40 in flight: 60 more go in (the last waits 100 / 20 per s = 5 s), the next would wait 5.05 s.
    assert.ok(Array.from({ length: 60 }, () => route.enter()).every((v) => v.admitted));
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 5050, retryAfterSeconds: 3 });
    for (let i = 0; i < 40; i++) route.leave(false); // 40 abandoned: no answer, the rate stays
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 3050, retryAfterSeconds: 1 }, '61 / 20 per s: admitted before the refusal, not after');
    for (let i = 0; i < 60; i++) route.leave(false);
    advance(10);
    assert.equal(route.enter().admitted, true, 'idle, then a new busy spell');
  });

  it('judges by the budget itself after the first 1.5 s of a busy spell: a flood, not a burst', () => {
    const { route, advance } = burstAnswered(45, 100, 50); // 20 answered by 1.05 s, 25 in flight
    advance(500); // 1.55 s: 19 answers in the 1.45 s after the first, 13.1 per s
    assert.ok(Array.from({ length: 7 }, () => route.enter()).every((v) => v.admitted), 'up to 32 in flight: 32 / 13.1 per s = 2.44 s');
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 2518, retryAfterSeconds: 1 }, '33 / 13.1 per s: within twice the budget, but past the burst');
  });

  it('admits again as calls are answered, and forgets answers older than 2 s', () => {
    const { route, advance } = routeAnswering(30);
    for (let i = 0; i < 74; i++) route.enter();
    assert.equal(route.enter().admitted, false);
    for (let i = 0; i < 10; i++) route.leave();
    assert.equal(route.enter().admitted, true, '65 in flight, 70 answers in 2 s: 66 / 35 per s = 1.9 s');
    advance(2500);
    assert.deepEqual(route.enter(), { admitted: false, retryAfterSeconds: 1 }, 'no answer in the last 2 s: nothing leaves the queue');
    for (let i = 0; i < 66; i++) route.leave();
    assert.equal(route.enter().admitted, true, 'every call answered: let in');
  });

  it('asks a refused caller to come back when the excess has been answered', () => {
    const { route } = routeAnswering(10, 1000); // 20 answers in 2 s
    for (let i = 0; i < 9; i++) assert.equal(route.enter().admitted, true);
    for (let i = 0; i < 40; i++) assert.equal(route.enter().admitted, false, 'a refused call takes no place in flight');
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 1100, retryAfterSeconds: 1 });
  });

  it('counts answers per second from when the route last went busy, not over the quiet before it', () => {
    let now = 1_000_000;
    const route = new RouteAdmission(2500, () => now);
    now += 1900; // quiet
    // 40 calls at once, answered at 40 per s: after 0.5 s, 20 answers and 20 in flight.
    for (let i = 0; i < 40; i++) route.enter();
    for (let i = 0; i < 20; i++) {
      now += 25;
      route.leave();
    }
    // At 40 per s the next waits 21 / 40 = 0.5 s (over the last 2 s it would look like 10 per s: 2.1 s, and 60 more would be refused).
    const verdicts = Array.from({ length: 60 }, () => route.enter());
    assert.ok(verdicts.every((v) => v.admitted));
    assert.equal(route.enter().admitted, true, '81 in flight at 40 per s: 2.05 s');
  });

  it('counts the answers of a busy spell from its first answer: the time that took is the pipeline, not the rate', () => {
    // 96 of a burst of 100 reach the gateway at once; the first answer comes at 0.3 s, then one every 22.5 ms.
    const { route } = burstAnswered(96, 300, 22.5);
    // At 0.73 s, 19 answers in the 0.43 s after the first: 44 per s. The last 4 of the burst
    // reach the gateway and wait 77-80 / 44 per s = 1.7-1.8 s. Counted from 0 s (20 answers in
    // 0.73 s: 27 per s) they would wait 2.8-2.9 s; at that rate 61 would go in before a wait of 5 s, at 44 per s 146.
    const verdicts = Array.from({ length: 147 }, () => route.enter());
    assert.equal(verdicts.filter((v) => v.admitted).length, 146, 'up to 222 in flight: 222 / 44 per s = 5 s');
    assert.equal(verdicts[146].admitted, false);
  });

  it('counts over the last 2 s once a busy spell is older, from wherever its first answer was', () => {
    const { route } = routeAnswering(30, 2500, 4); // busy 4 s: 60 answers in the last 2 s
    assert.ok(Array.from({ length: 74 }, () => route.enter()).every((v) => v.admitted));
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 2533, retryAfterSeconds: 1 }, '76 / 30 per s, as for a route busy 2 s');
  });

  it('credits no rate faster than over the time the first answer took: answers that come together after 1 s', () => {
    let now = 0;
    const route = new RouteAdmission(2500, () => now);
    for (let i = 0; i < 150; i++) route.enter();
    now = 1000;
    for (let i = 0; i < 20; i++) route.leave(); // worked on side by side, answered at once
    // 130 in flight at 20 per s: the next would wait 131 / 20 per s = 6.6 s, past twice the budget.
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 6550, retryAfterSeconds: 5 });
  });

  it('takes half the RPC timeout as its budget unless ADMISSION_MAX_WAIT_MS says otherwise (0: off)', () => {
    assert.equal(admissionBudgetMs({ RPC_TIMEOUT_MS: 5000 }), 2500);
    assert.equal(admissionBudgetMs({ RPC_TIMEOUT_MS: 5000, ADMISSION_MAX_WAIT_MS: 0 }), 0);
    assert.equal(admissionBudgetMs({ RPC_TIMEOUT_MS: 5000, ADMISSION_MAX_WAIT_MS: 800 }), 800);
  });

  it('counts as capacity what was answered from behind the gateway, not a failure that waited it out or a call abandoned', () => {
    assert.equal(served(true, 201, 3000, 2500), true, 'answered, however slowly');
    assert.equal(served(true, 409, 10, 2500), true);
    assert.equal(served(true, 500, 10, 2500), true, 'a quick failure: the route answered it');
    assert.equal(served(true, 504, 1000, 800), false, 'a timeout');
    assert.equal(served(true, 503, 2600, 2500), false, 'a failure that took the whole budget');
    assert.equal(served(false, 200, 10, 2500), false, 'abandoned by its client');
  });
});
