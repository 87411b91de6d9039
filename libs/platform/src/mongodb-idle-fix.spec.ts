import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ConnectionPool, mongodbIdleFixApplied, PATCHED_DRIVER_MAJOR } from './mongodb-idle-fix';

/** A ready pool holding `open` connections, counting the driver's periodic checks (each prunes the pool). */
function readyPool(minPoolSize: number, maxIdleTimeMS = 0, open = 0) {
  const pool = Object.create(ConnectionPool.prototype);
  let checks = 0;
  Object.assign(pool, { poolState: 'ready', options: { minPoolSize, maxIdleTimeMS, maxConnecting: 2, minPoolSizeCheckFrequencyMS: 100 }, connections: { prune: () => checks++ } });
  for (const getter of ['totalConnectionCount', 'pendingConnectionCount']) Object.defineProperty(pool, getter, { value: getter === 'totalConnectionCount' ? open : 0 });
  return { pool, checks: () => checks };
}

/** A second, 100 ms at a time (the mock runs a timer re-armed during a tick only at a later tick). */
const aSecondPasses = () => {
  for (let i = 0; i < 10; i++) mock.timers.tick(100);
};

describe('MongoDB driver idle fix', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());

  it(`is applied to the driver installed (${PATCHED_DRIVER_MAJOR}x; a new major needs this fix checked again)`, () => {
    assert.equal(mongodbIdleFixApplied, true);
  });

  it('checks the pool when it becomes ready, and not ten times a second after, when there is no minimum and no idle limit', () => {
    const { pool, checks } = readyPool(0);
    pool.ensureMinPoolSize();
    assert.equal(checks(), 1);
    aSecondPasses();
    assert.equal(checks(), 1, 'the driver alone checks again every 100 ms');
  });

  it('keeps checking every 100 ms when a minimum pool size or an idle limit needs it', () => {
    for (const { pool, checks } of [readyPool(2, 0, 2), readyPool(0, 30_000)]) {
      pool.ensureMinPoolSize();
      aSecondPasses();
      assert.equal(checks(), 11);
      clearTimeout(pool.minPoolSizeTimer);
    }
  });
});
