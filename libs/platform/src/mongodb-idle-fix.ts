import * as path from 'node:path';

/**
 * The MongoDB driver (6.x, under mongoose) wakes every connection pool ten times a second
 * to top it up to `minPoolSize` and to close connections idle past `maxIdleTimeMS`, even
 * when both are 0 and the check can find nothing to do (its period,
 * `minPoolSizeCheckFrequencyMS`, is internal: MongoClient refuses it as an option). Each
 * service spent about 0.003 of a core on it with no traffic. Here, with neither set, the
 * check still runs whenever the driver asks for it (the pool becoming ready), but is not
 * armed again: a stale or closed connection is still dropped at its next checkout, as
 * the driver does anyway.
 */
// The driver mongoose loads, whichever copy that is. It has no types for its internals.
const POOL_MODULE = require.resolve('mongodb/lib/cmap/connection_pool', { paths: [path.dirname(require.resolve('mongoose'))] });
const PACKAGE_JSON = path.join(POOL_MODULE, '..', '..', '..', 'package.json');
/** The driver's pool class this patches (its unit test drives the same copy). */
export const { ConnectionPool } = require(POOL_MODULE) as { ConnectionPool: { prototype: PoolInternals } };
const DRIVER_VERSION: string = require(PACKAGE_JSON).version;

/** The driver releases whose pool this was written against (checked by its unit test). */
export const PATCHED_DRIVER_MAJOR = '6.';

interface PoolInternals {
  options: { minPoolSize: number; maxIdleTimeMS: number };
  minPoolSizeTimer?: NodeJS.Timeout;
  ensureMinPoolSize(): void;
}

const ensureMinPoolSize = ConnectionPool.prototype.ensureMinPoolSize;
export const mongodbIdleFixApplied = DRIVER_VERSION.startsWith(PATCHED_DRIVER_MAJOR) && typeof ensureMinPoolSize === 'function';

if (mongodbIdleFixApplied) {
  ConnectionPool.prototype.ensureMinPoolSize = function ensureMinPoolSizeOnce(this: PoolInternals) {
    ensureMinPoolSize.call(this);
    if (this.options.minPoolSize === 0 && !this.options.maxIdleTimeMS) clearTimeout(this.minPoolSizeTimer);
  };
}
