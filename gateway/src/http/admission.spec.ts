import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admissionBudgetMs, RouteAdmission } from './admission';

/** A route that answered `perSecond` calls a second over the last 2 s, on a clock the test moves. */
function routeAnswering(perSecond: number, budgetMs = 2500) {
  let now = 1_000_000;
  const route = new RouteAdmission(budgetMs, () => now);
  for (let i = 0; i < perSecond * 2; i++) {
    assert.equal(route.enter().admitted, true);
    now += 1000 / perSecond;
    route.leave();
  }
  return { route, advance: (ms: number) => (now += ms) };
}

describe('RouteAdmission', () => {
  it('lets a burst from quiet in whole, up to 128 at once, until 20 answers in the last 2 s give it a rate to judge by', () => {
    const { route } = routeAnswering(9); // 18 answers in the window
    const verdicts = Array.from({ length: 130 }, () => route.enter());
    assert.equal(verdicts.filter((v) => v.admitted).length, 128);
    assert.deepEqual(verdicts[128], { admitted: false, retryAfterSeconds: 1 });
  });

  it('refuses, at once, a call that would wait longer than the budget: (in flight + 1) / answers per second', () => {
    const { route } = routeAnswering(30); // 60 answers in 2 s
    const admitted = Array.from({ length: 75 }, () => route.enter());
    assert.ok(admitted.every((v) => v.admitted), 'the 75th waits 75 / 30 per s = 2.5 s: still in');
    // 75 in flight: the next would wait 76 / 30 = 2.53 s.
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 2533, retryAfterSeconds: 1 });
  });

  it('admits again as calls are answered, and forgets answers older than 2 s', () => {
    const { route, advance } = routeAnswering(30);
    for (let i = 0; i < 75; i++) route.enter();
    assert.equal(route.enter().admitted, false);
    for (let i = 0; i < 10; i++) route.leave();
    assert.equal(route.enter().admitted, true, '65 in flight, 70 answers in 2 s: 66 / 35 per s = 1.9 s');
    advance(2500);
    assert.equal(route.enter().admitted, true, 'no answer in the last 2 s: too few to judge, let in');
  });

  it('asks a refused caller to come back when the excess has been answered', () => {
    const { route } = routeAnswering(10, 1000); // 20 answers in 2 s
    for (let i = 0; i < 10; i++) assert.equal(route.enter().admitted, true);
    for (let i = 0; i < 40; i++) assert.equal(route.enter().admitted, false, 'a refused call takes no place in flight');
    assert.deepEqual(route.enter(), { admitted: false, expectedWaitMs: 1100, retryAfterSeconds: 1 });
  });

  it('takes half the RPC timeout as its budget unless ADMISSION_MAX_WAIT_MS says otherwise (0: off)', () => {
    assert.equal(admissionBudgetMs({ RPC_TIMEOUT_MS: 5000 }), 2500);
    assert.equal(admissionBudgetMs({ RPC_TIMEOUT_MS: 5000, ADMISSION_MAX_WAIT_MS: 0 }), 0);
    assert.equal(admissionBudgetMs({ RPC_TIMEOUT_MS: 5000, ADMISSION_MAX_WAIT_MS: 800 }), 800);
  });
});
