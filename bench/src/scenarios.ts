/** What each scenario asks the gateway, and the data it needs seeded first. */
import { EXAMPLE_ACCOUNTS } from '@shop/contracts';
import { devAccounts } from '@shop/stack';

export const SCENARIO_NAMES = ['health', 'echo', 'user-read', 'product-read', 'order-list', 'order-create', 'mix'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  /** JSON text. */
  body?: string;
  /** Authorization, for the routes that need a token. */
  headers?: Record<string, string>;
}

/** Ids created by seed(); a list stays empty when its route does not exist (yet). */
export interface Fixtures {
  userIds: string[];
  productIds: string[];
  /** Routes that do not work on this build ("POST /api/orders": "answered 404"): their scenarios are skipped, not failed. */
  broken: Record<string, string>;
  /** `Authorization: Bearer` of the admin, logged in once by seed(); every request of ours carries it, as a real client's would. */
  headers: Record<string, string>;
}

export interface Scenario {
  name: ScenarioName;
  what: string;
  /** Why it cannot run against this build, or undefined when it can. */
  unavailable(f: Fixtures): string | undefined;
  next(f: Fixtures): RequestSpec;
  /** For answers whose 2xx can still mean failure. */
  check?: (body: string) => boolean;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

const userRead = (f: Fixtures): RequestSpec => ({ method: 'GET', path: `/api/users/${pick(f.userIds)}`, headers: f.headers });
const productRead = (f: Fixtures): RequestSpec => ({ method: 'GET', path: `/api/products/${pick(f.productIds)}`, headers: f.headers });
const orderList = (f: Fixtures): RequestSpec => ({ method: 'GET', path: `/api/orders?limit=20&userId=${pick(f.userIds)}`, headers: f.headers });
const orderCreate = (f: Fixtures): RequestSpec => ({
  method: 'POST',
  path: '/api/orders',
  headers: f.headers,
  body: JSON.stringify({ userId: pick(f.userIds), items: [{ productId: pick(f.productIds), quantity: 1 }] }),
});

const brokenOf = (f: Fixtures, ...routes: string[]): string | undefined => {
  const broken = routes.filter((r) => f.broken[r]).map((r) => `${r} ${f.broken[r]}`);
  return broken.length ? broken.join('; ') : undefined;
};

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  health: {
    name: 'health',
    what: 'GET /health/live: the gateway alone, no Kafka (its own ceiling)',
    unavailable: () => undefined,
    next: () => ({ method: 'GET', path: '/health/live' }),
  },
  echo: {
    name: 'echo',
    what: 'GET /api/status: a ping to every service over Kafka request-reply, no database',
    unavailable: (f) => brokenOf(f, 'GET /api/status'),
    next: (f) => ({ method: 'GET', path: '/api/status', headers: f.headers }),
    // 200 {"status":"degraded"} when a ping timed out.
    check: (body) => body.includes('"status":"ok"'),
  },
  'user-read': {
    name: 'user-read',
    what: 'GET /api/users/:id of a seeded user',
    unavailable: (f) => brokenOf(f, 'POST /api/users', 'GET /api/users/:id'),
    next: userRead,
  },
  'product-read': {
    name: 'product-read',
    what: 'GET /api/products/:id of a seeded product',
    unavailable: (f) => brokenOf(f, 'POST /api/products', 'GET /api/products/:id'),
    next: productRead,
  },
  'order-list': {
    name: 'order-list',
    what: 'GET /api/orders?limit=20&userId=:id of a user the run created: a page of its orders and their count, from the database (no cache)',
    unavailable: (f) => brokenOf(f, 'POST /api/users', 'GET /api/orders?limit=20&userId=:id'),
    next: orderList,
  },
  'order-create': {
    name: 'order-create',
    what: 'POST /api/orders, one item, quantity 1 (user check + stock reservation + insert)',
    unavailable: (f) => brokenOf(f, 'POST /api/users', 'POST /api/products', 'POST /api/orders'),
    next: orderCreate,
  },
  mix: {
    name: 'mix',
    what: '70 % product read, 20 % user read, 10 % order create',
    unavailable: (f) => brokenOf(f, 'POST /api/users', 'GET /api/users/:id', 'POST /api/products', 'GET /api/products/:id', 'POST /api/orders'),
    next: (f) => {
      const r = Math.random();
      return r < 0.7 ? productRead(f) : r < 0.9 ? userRead(f) : orderCreate(f);
    },
  },
};

/** The peer's one scenario: GET /echo/:id of the stock NestJS demo, one Kafka request-reply, no database. */
export const PEER_ECHO: Scenario = {
  name: 'echo',
  what: 'GET /echo/:id of the stock NestJS demo: one request-reply over Kafka, no database',
  unavailable: () => undefined,
  next: () => ({ method: 'GET', path: `/echo/${Math.floor(Math.random() * 1e6)}` }),
  check: (body) => body.startsWith('{"id":'),
};

/**
 * Creates users and products through the gateway (products with a stock no run can
 * exhaust), then probes the routes that seeding does not touch. A route that fails
 * here is recorded, so the benchmark of a half-built system still runs what works.
 */
export async function seed(baseUrl: string, count = 50): Promise<Fixtures> {
  const f: Fixtures = { userIds: [], productIds: [], broken: {}, headers: {} };
  const tag = Date.now().toString(36);
  const login = await call(baseUrl, { method: 'POST', path: '/api/auth/login', body: JSON.stringify({ email: EXAMPLE_ACCOUNTS.admin.email, password: devAccounts().ADMIN_PASSWORD }) });
  // A build from before accounts (the --baseline of this change) has no login and refuses passwords.
  const accounts = login.status !== 404;
  if (login.status === 200) f.headers = { authorization: `Bearer ${(JSON.parse(login.text) as { accessToken: string }).accessToken}` };
  else if (accounts) f.broken['POST /api/auth/login'] = failure(login);
  f.userIds = await createMany(baseUrl, '/api/users', count, (i) => ({ email: `bench-${tag}-${i}@example.com`, name: `Bench User ${i}`, ...(accounts && { password: 'bench-password' }) }), f);
  f.productIds = await createMany(baseUrl, '/api/products', count, (i) => ({ name: `Bench product ${tag}-${i}`, priceCents: 100 + i, stock: 10_000_000 }), f);

  await probe(baseUrl, { method: 'GET', path: '/api/status', headers: f.headers }, 200, f);
  if (f.userIds.length && f.productIds.length) {
    // A product's stock may be set up asynchronously after it is created: give it time.
    for (let attempt = 0; attempt < 10; attempt++) {
      delete f.broken['POST /api/orders'];
      if (await probe(baseUrl, orderCreate(f), 201, f)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await probe(baseUrl, productRead(f), 200, f);
    await probe(baseUrl, userRead(f), 200, f);
    await probe(baseUrl, orderList(f), 200, f);
  }
  return f;
}

async function probe(baseUrl: string, req: RequestSpec, expected: number, f: Fixtures): Promise<boolean> {
  const res = await call(baseUrl, req);
  if (res.status !== expected) f.broken[`${req.method} ${req.path.replace(/[0-9a-f]{24}$/, ':id')}`] = failure(res);
  return res.status === expected;
}

function failure(res: { status: number; text: string }): string {
  const code = /"code":"([A-Z_]+)"/.exec(res.text)?.[1];
  return `answered ${res.status}${code ? ` ${code}` : ''}`;
}

async function createMany(baseUrl: string, path: string, count: number, body: (i: number) => unknown, f: Fixtures): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Array.from({ length: Math.min(10, count - i) }, (_, j) => call(baseUrl, { method: 'POST', path, body: JSON.stringify(body(i + j)), headers: f.headers }));
    for (const res of await Promise.all(batch)) {
      if (res.status !== 201) {
        f.broken[`POST ${path}`] = failure(res);
        return [];
      }
      ids.push((JSON.parse(res.text) as { id: string }).id);
    }
  }
  return ids;
}

async function call(baseUrl: string, req: RequestSpec): Promise<{ status: number; text: string }> {
  const res = await fetch(baseUrl + req.path, {
    method: req.method,
    headers: headersOf(req),
    body: req.body,
    signal: AbortSignal.timeout(15_000),
  });
  return { status: res.status, text: await res.text() };
}

/** What a request of a scenario carries: JSON's content type with a body, and its own headers. */
export function headersOf(spec: RequestSpec): Record<string, string> {
  return { ...(spec.body && { 'content-type': 'application/json' }), ...spec.headers };
}
