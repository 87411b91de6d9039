// Shared by the k6 scripts of this folder: the same scenarios as `npm run bench`
// (bench/src/scenarios.ts), for people who have k6. See docs/BENCHMARKS.md.
import http from 'k6/http';
import { check } from 'k6';

export const BASE_URL = __ENV.BASE_URL || 'http://127.0.0.1:3000';
const VUS = Number(__ENV.VUS || 32);
const DURATION = __ENV.DURATION || '10s';
const RATE = Number(__ENV.RATE || 500);
const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

/**
 * A closed-loop run (VUS connections, each waits for its answer), then an open-loop run
 * at RATE requests/s started whatever the answers do. Fails when the p99 of either goes
 * over p99Ms (P99_MS overrides) or any request fails.
 */
export function options(p99Ms) {
  const limit = Number(__ENV.P99_MS || p99Ms);
  return {
    scenarios: {
      closed: { executor: 'constant-vus', vus: VUS, duration: DURATION },
      open: {
        executor: 'constant-arrival-rate',
        rate: RATE,
        timeUnit: '1s',
        duration: DURATION,
        preAllocatedVUs: VUS * 2,
        maxVUs: VUS * 8,
        startTime: addSeconds(DURATION, 2),
      },
    },
    thresholds: {
      'http_req_duration{scenario:closed}': [`p(99)<${limit}`],
      'http_req_duration{scenario:open}': [`p(99)<${limit}`],
      http_req_failed: ['rate==0'],
      checks: ['rate==1'],
    },
    summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
  };
}

function addSeconds(duration, extra) {
  const match = /^(\d+)s$/.exec(duration);
  if (!match) throw new Error(`DURATION must be in seconds, like 10s (got ${duration})`);
  return `${Number(match[1]) + extra}s`;
}

/**
 * Logs in once as the admin (ADMIN_EMAIL / ADMIN_PASSWORD, default the native stack's dev
 * admin) and reuses the token: every request carries it, as a real client's would.
 */
function login() {
  const email = __ENV.ADMIN_EMAIL || 'admin@example.com';
  const res = http.post(`${BASE_URL}/api/auth/login`, JSON.stringify({ email, password: __ENV.ADMIN_PASSWORD || 'admin-dev-password' }), JSON_HEADERS);
  if (res.status !== 200) throw new Error(`login as ${email} answered ${res.status}: ${res.body}`);
  return res.json('accessToken');
}

/** The admin's token, and users and products to read and order, created through the gateway in setup(). */
export function seed({ users = 50, products = 50 } = {}) {
  const tag = `${Date.now().toString(36)}`;
  const token = login();
  const create = (path, body) => {
    const res = http.post(`${BASE_URL}${path}`, JSON.stringify(body), auth({ token }, JSON_HEADERS));
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${res.body}`);
    return res.json('id');
  };
  return {
    token,
    userIds: Array.from({ length: users }, (_, i) => create('/api/users', { email: `k6-${tag}-${i}@example.com`, name: `k6 user ${i}`, password: 'k6-user-password' })),
    // A stock no run can exhaust, so orders never answer 409.
    productIds: Array.from({ length: products }, (_, i) => create('/api/products', { name: `k6 product ${tag}-${i}`, priceCents: 100 + i, stock: 10000000 })),
  };
}

const pick = (items) => items[Math.floor(Math.random() * items.length)];

function expect(res, status) {
  check(res, { [`status ${status}`]: (r) => r.status === status });
}

/** Request params with the token of setup() added. */
function auth(data, params = {}) {
  return { ...params, headers: { ...(params.headers || {}), authorization: `Bearer ${data.token}` } };
}

export const requests = {
  health: () => expect(http.get(`${BASE_URL}/health/live`), 200),
  echo: (data) => expect(http.get(`${BASE_URL}/api/status`, auth(data)), 200),
  userRead: (data) => expect(http.get(`${BASE_URL}/api/users/${pick(data.userIds)}`, auth(data, { tags: { name: 'GET /api/users/:id' } })), 200),
  productRead: (data) => expect(http.get(`${BASE_URL}/api/products/${pick(data.productIds)}`, auth(data, { tags: { name: 'GET /api/products/:id' } })), 200),
  orderCreate: (data) =>
    expect(
      http.post(`${BASE_URL}/api/orders`, JSON.stringify({ userId: pick(data.userIds), items: [{ productId: pick(data.productIds), quantity: 1 }] }), auth(data, JSON_HEADERS)),
      201,
    ),
};
