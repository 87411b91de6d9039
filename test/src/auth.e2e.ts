import { EXAMPLE_IDS, HEADERS, RPC, replyTopicOf, EVENTS, DEAD_LETTER_TOPIC, EXAMPLE_ACCOUNTS } from '@shop/contracts';
import { AppProcess, startApp, waitUntil } from '@shop/stack';
import { MongoClient } from 'mongodb';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ADMIN, asAdmin, jwt, login, newCustomer, PASSWORD, tokenFor } from './support/auth';
import { Client, client, JsonResponse, uniqueEmail } from './support/http';
import { TopicWatcher } from './support/kafka';
import { startSystem, System } from './support/system';

type Customer = Awaited<ReturnType<typeof newCustomer>>;

const statusAndCode = (res: JsonResponse) => [res.status, res.body?.code];

/**
 * Who may do what, through the real gateway and services: every route as nobody, as a
 * customer who owns the thing, as a customer who does not, and as admin.
 */
describe('auth: accounts, tokens, roles, ownership and rate limits', { timeout: 300_000 }, () => {
  let system: System;
  let url: string;
  let anonymous: Client;
  let admin: Client;
  let ada: Customer;
  let bob: Customer;
  let watcher: TopicWatcher;
  let product: { id: string };

  before(async () => {
    system = await startSystem();
    url = system.gateways[0].url;
    watcher = await new TopicWatcher(system.infra.kafkaBrokers).start([
      RPC.USER_CREATE.pattern,
      RPC.USER_AUTHENTICATE.pattern,
      RPC.USER_GET.pattern,
      RPC.USER_UPDATE.pattern,
      RPC.ORDER_CREATE.pattern,
      replyTopicOf('gateway'),
      replyTopicOf('order-service'),
      EVENTS.USER_CREATED.topic,
      DEAD_LETTER_TOPIC,
    ]);
    anonymous = client(url);
    admin = asAdmin(url);
    [ada, bob] = [await newCustomer(url, 'ada'), await newCustomer(url, 'bob')];
    product = (await admin.post('/api/products', { name: 'Auth lamp', priceCents: 1500, stock: 100 })).body;
  });

  after(async () => {
    await watcher?.stop();
    await system?.stop();
  });

  describe('accounts', () => {
    it('registers a customer: 201 with the user and its role, never the password', async () => {
      const email = uniqueEmail('reg');
      const res = await anonymous.post('/api/auth/register', { email, name: 'Reg', password: PASSWORD });
      assert.equal(res.status, 201);
      assert.deepEqual(Object.keys(res.body).sort(), ['createdAt', 'email', 'id', 'name', 'role', 'updatedAt']);
      assert.equal(res.body.role, 'customer');
    });

    it('refuses a short password, a role in the register body, and a taken email', async () => {
      const short = await anonymous.post('/api/auth/register', { email: uniqueEmail('short'), name: 'Short', password: 'too-short' });
      assert.deepEqual(statusAndCode(short), [400, 'VALIDATION_FAILED']);
      assert.deepEqual(short.body.details, [{ field: 'password', errors: ['password must be 10 to 128 characters'] }]);
      const promoted = await anonymous.post('/api/auth/register', { email: uniqueEmail('climber'), name: 'Climber', password: PASSWORD, role: 'admin' });
      assert.deepEqual(statusAndCode(promoted), [400, 'VALIDATION_FAILED']);
      const taken = await anonymous.post('/api/auth/register', { email: ada.user.email, name: 'Again', password: PASSWORD });
      assert.deepEqual(statusAndCode(taken), [409, 'USER_EMAIL_TAKEN']);
    });

    it('logs in: a bearer token that names the caller for JWT_TTL (15 minutes)', async () => {
      const res = await anonymous.post('/api/auth/login', { email: ada.user.email, password: ada.password });
      assert.equal(res.status, 200);
      assert.deepEqual({ ...res.body, accessToken: typeof res.body.accessToken }, { accessToken: 'string', tokenType: 'Bearer', expiresIn: 900 });
      const claims = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
      assert.deepEqual({ sub: claims.sub, role: claims.role, ttl: claims.exp - claims.iat }, { sub: ada.user.id, role: 'customer', ttl: 900 });
      const me = await client(url, res.body.accessToken).get('/api/auth/me');
      assert.deepEqual([me.status, me.body.id, me.body.role], [200, ada.user.id, 'customer']);
      const adminMe = await admin.get('/api/auth/me');
      assert.deepEqual([adminMe.status, adminMe.body.email, adminMe.body.role], [200, ADMIN.email, 'admin']);
      assert.deepEqual(statusAndCode(await anonymous.get('/api/auth/me')), [401, 'UNAUTHENTICATED']);
    });

    it('answers an unknown email and a wrong password alike: 401 INVALID_CREDENTIALS, in about the same time', async () => {
      const email = uniqueEmail('timing');
      await anonymous.post('/api/auth/register', { email, name: 'Timing', password: PASSWORD });
      const wrong: JsonResponse[] = [];
      const unknown: JsonResponse[] = [];
      for (let i = 0; i < 3; i++) {
        wrong.push(await anonymous.post('/api/auth/login', { email, password: `${PASSWORD}-not` }));
        unknown.push(await anonymous.post('/api/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD }));
      }
      for (const res of [...wrong, ...unknown]) {
        assert.deepEqual({ ...res.body, requestId: undefined }, { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong', requestId: undefined });
      }
      // Both pay for one password hash; without the decoy hash an unknown email answers ~20x faster.
      const median = (all: JsonResponse[]) => all.map((r) => r.ms).sort((a, b) => a - b)[1];
      const ratio = median(unknown) / median(wrong);
      assert.ok(ratio > 0.33 && ratio < 3, `unknown email ${median(unknown).toFixed(1)} ms vs wrong password ${median(wrong).toFixed(1)} ms`);
    });

    it('lets an admin create users with a role, and nobody else', async () => {
      const body = { email: uniqueEmail('staff'), name: 'Staff', password: PASSWORD, role: 'admin' };
      assert.deepEqual(statusAndCode(await anonymous.post('/api/users', body)), [401, 'UNAUTHENTICATED']);
      assert.deepEqual(statusAndCode(await ada.api.post('/api/users', body)), [403, 'FORBIDDEN']);
      const created = await admin.post('/api/users', body);
      assert.deepEqual([created.status, created.body.role], [201, 'admin']);
      const staff = await login(url, body.email, PASSWORD);
      assert.equal((await staff.get('/api/users?limit=1')).status, 200, 'the new admin may list users');
    });
  });

  describe('tokens', () => {
    const forged: Record<string, () => string> = {
      'signed with another secret': () => jwt({ sub: ADMIN.id, role: 'admin' }, { secret: 'not-the-secret-of-this-system-at-all' }),
      'alg none': () => jwt({ sub: ADMIN.id, role: 'admin' }, { header: { alg: 'none', typ: 'JWT' }, signature: '' }),
      'alg none with a signature': () => jwt({ sub: ADMIN.id, role: 'admin' }, { header: { alg: 'none', typ: 'JWT' } }),
      'HS512 instead of HS256': () => {
        const token = jwt({ sub: ADMIN.id, role: 'admin' }, { header: { alg: 'HS512', typ: 'JWT' } });
        return token;
      },
      'a wrong signature': () => `${tokenFor(ADMIN.id, 'admin').slice(0, -4)}AAAA`,
      'a changed payload': () => {
        const [head, , signature] = tokenFor(ada.user.id, 'customer').split('.');
        return `${head}.${Buffer.from(JSON.stringify({ sub: ada.user.id, role: 'admin', exp: 9999999999 })).toString('base64url')}.${signature}`;
      },
      expired: () => jwt({ sub: ADMIN.id, role: 'admin', iat: 1_700_000_000, exp: 1_700_000_900 }),
      'no user': () => jwt({ role: 'admin' }),
      'an unknown role': () => jwt({ sub: ADMIN.id, role: 'root' }),
      garbage: () => 'not.a.token',
      empty: () => '',
    };
    for (const [what, token] of Object.entries(forged)) {
      it(`answers a token with ${what} with 401 UNAUTHENTICATED`, async () => {
        const res = await anonymous.get('/api/users?limit=1', { authorization: `Bearer ${token()}` });
        assert.deepEqual(statusAndCode(res), [401, 'UNAUTHENTICATED']);
      });
    }

    it('answers other schemes and a missing header with 401, saying what is wrong', async () => {
      for (const authorization of ['Basic YWRtaW46YWRtaW4=', tokenFor(ADMIN.id, 'admin'), `Bearer ${tokenFor(ADMIN.id, 'admin')} extra`]) {
        const res = await anonymous.get('/api/users?limit=1', { authorization });
        assert.deepEqual([...statusAndCode(res), res.body.message], [401, 'UNAUTHENTICATED', 'The Authorization header must be `Bearer <token>`']);
      }
      const expired = await anonymous.get('/api/users?limit=1', { authorization: `Bearer ${jwt({ sub: ADMIN.id, role: 'admin', exp: 1_700_000_900 })}` });
      assert.equal(expired.body.message, 'The token has expired; log in again');
    });

    it('serves the public routes to nobody, and asks a token for every other route under /api', async () => {
      for (const path of ['/api/products', `/api/products/${product.id}`, '/docs', '/docs-json', '/health/live', '/health/ready', '/metrics']) {
        assert.equal((await anonymous.get(path)).status, 200, path);
      }
      const document = (await anonymous.get('/docs-json')).body;
      const publicOperations = new Set(['POST /api/auth/register', 'POST /api/auth/login', 'GET /api/products', 'GET /api/products/{id}']);
      const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([p, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`));
      const secured = operations.filter((op) => !publicOperations.has(op));
      assert.ok(secured.length >= 14, secured.join(', '));
      for (const operation of secured) {
        const [method, template] = operation.split(' ');
        const target = template.replace('{id}', EXAMPLE_IDS.user);
        const res = method === 'GET' ? await anonymous.get(target) : method === 'DELETE' ? await anonymous.delete(target) : await anonymous.raw(method, target, '{}');
        assert.deepEqual(statusAndCode(res), [401, 'UNAUTHENTICATED'], operation);
        const spec = (document.paths[template] as Record<string, { security?: unknown[]; responses: Record<string, unknown> }>)[method.toLowerCase()];
        assert.deepEqual(spec.security, [{ bearer: [] }], `${operation} shows the Authorize lock in Swagger UI`);
        assert.ok(spec.responses['401'], `${operation} documents its 401`);
      }
    });
  });

  describe('users: own, others, admin', () => {
    it('lets a customer read and change itself, not another user (403); an admin anyone', async () => {
      assert.equal((await ada.api.get(`/api/users/${ada.user.id}`)).status, 200);
      assert.deepEqual(statusAndCode(await ada.api.get(`/api/users/${bob.user.id}`)), [403, 'FORBIDDEN']);
      assert.deepEqual(statusAndCode(await anonymous.get(`/api/users/${ada.user.id}`)), [401, 'UNAUTHENTICATED']);
      assert.equal((await admin.get(`/api/users/${bob.user.id}`)).status, 200);

      assert.equal((await ada.api.patch(`/api/users/${ada.user.id}`, { name: 'Ada King' })).body.name, 'Ada King');
      assert.deepEqual(statusAndCode(await ada.api.patch(`/api/users/${bob.user.id}`, { name: 'Hacked' })), [403, 'FORBIDDEN']);
      assert.deepEqual(statusAndCode(await ada.api.patch(`/api/users/${ada.user.id}`, { role: 'admin' })), [403, 'FORBIDDEN']);
      assert.equal((await admin.patch(`/api/users/${bob.user.id}`, { name: 'Bob Admin-Renamed' })).status, 200);
      assert.equal((await admin.get(`/api/users/${bob.user.id}`)).body.name, 'Bob Admin-Renamed');

      assert.deepEqual(statusAndCode(await ada.api.get('/api/users')), [403, 'FORBIDDEN']);
      assert.deepEqual(statusAndCode(await ada.api.delete(`/api/users/${bob.user.id}`)), [403, 'FORBIDDEN']);
      assert.equal((await admin.get(`/api/users/${bob.user.id}`)).status, 200, 'bob is still there');
    });

    it('lets a customer change its password and delete itself', async () => {
      const carol = await newCustomer(url, 'carol');
      assert.equal((await carol.api.patch(`/api/users/${carol.user.id}`, { password: 'a-brand-new-password' })).status, 200);
      await login(url, carol.user.email, 'a-brand-new-password');
      assert.equal((await carol.api.delete(`/api/users/${carol.user.id}`)).status, 204);
      assert.equal((await admin.get(`/api/users/${carol.user.id}`)).status, 404);
      const dave = await newCustomer(url, 'dave');
      assert.equal((await admin.delete(`/api/users/${dave.user.id}`)).status, 204, 'an admin deletes anyone');
    });
  });

  describe('products: anyone reads, only an admin writes', () => {
    it('answers 401 to nobody and 403 to a customer for every write, and lets an admin write', async () => {
      const writes: Array<[string, string, unknown]> = [
        ['POST', '/api/products', { name: 'Nope', priceCents: 1, stock: 1 }],
        ['PATCH', `/api/products/${product.id}`, { priceCents: 1 }],
        ['POST', `/api/products/${product.id}/stock`, { delta: -100 }],
        ['DELETE', `/api/products/${product.id}`, undefined],
      ];
      const call = (api: Client, method: string, path: string, body: unknown) => (body === undefined ? api.delete(path) : api.raw(method, path, JSON.stringify(body)));
      for (const [method, path, body] of writes) {
        assert.deepEqual(statusAndCode(await call(anonymous, method, path, body)), [401, 'UNAUTHENTICATED'], `${method} ${path} as nobody`);
        assert.deepEqual(statusAndCode(await call(ada.api, method, path, body)), [403, 'FORBIDDEN'], `${method} ${path} as a customer`);
      }
      const unchanged = await anonymous.get(`/api/products/${product.id}`);
      assert.deepEqual([unchanged.body.priceCents, unchanged.body.stock], [1500, 100], 'nothing a refused write asked for happened');
      assert.equal((await admin.patch(`/api/products/${product.id}`, { priceCents: 1600 })).status, 200);
      assert.equal((await admin.post(`/api/products/${product.id}/stock`, { delta: 5 })).body.stock, 105);
      const doomed = (await admin.post('/api/products', { name: 'Doomed', priceCents: 1, stock: 0 })).body;
      assert.equal((await admin.delete(`/api/products/${doomed.id}`)).status, 204);
    });
  });

  describe('orders: a customer orders, lists, reads and cancels only its own', () => {
    let adasOrder: { id: string };
    let bobsOrder: { id: string };

    before(async () => {
      const items = [{ productId: product.id, quantity: 1 }];
      const a = await ada.api.post('/api/orders', { items });
      const b = await bob.api.post('/api/orders', { userId: bob.user.id, items });
      assert.deepEqual([a.status, a.body.userId, b.status, b.body.userId], [201, ada.user.id, 201, bob.user.id], JSON.stringify([a.body, b.body]));
      [adasOrder, bobsOrder] = [a.body, b.body];
    });

    it('places an order only for the caller (userId may be omitted), an admin for anyone', async () => {
      const items = [{ productId: product.id, quantity: 1 }];
      assert.deepEqual(statusAndCode(await anonymous.post('/api/orders', { items })), [401, 'UNAUTHENTICATED']);
      const forBob = await ada.api.post('/api/orders', { userId: bob.user.id, items });
      assert.deepEqual([...statusAndCode(forBob), forBob.body.message], [403, 'FORBIDDEN', 'A customer may place orders only for itself']);
      const forBobLater = await ada.api.post('/api/orders', { userId: bob.user.id, items }, { prefer: 'respond-async' });
      assert.deepEqual(statusAndCode(forBobLater), [403, 'FORBIDDEN'], 'refused before the 202, which could not carry the refusal');
      const byAdmin = await admin.post('/api/orders', { userId: bob.user.id, items });
      assert.deepEqual([byAdmin.status, byAdmin.body.userId], [201, bob.user.id]);
    });

    it('keeps Idempotency-Keys per caller: the same key from two customers is two orders', async () => {
      const key = `auth-${Date.now()}`;
      const items = [{ productId: product.id, quantity: 1 }];
      const first = await ada.api.post('/api/orders', { items }, { 'idempotency-key': key });
      const second = await bob.api.post('/api/orders', { items }, { 'idempotency-key': key });
      assert.deepEqual([first.status, second.status], [201, 201]);
      assert.notEqual(first.body.id, second.body.id);
      assert.equal((await ada.api.post('/api/orders', { items }, { 'idempotency-key': key })).body.id, first.body.id, 'a retry is the same order');
    });

    it('lists only the caller’s orders to a customer; naming another user is 403; an admin sees anyone’s', async () => {
      const mine = await ada.api.get('/api/orders?limit=100');
      assert.equal(mine.status, 200);
      assert.ok(mine.body.items.length >= 1);
      assert.deepEqual([...new Set(mine.body.items.map((o: { userId: string }) => o.userId))], [ada.user.id]);
      assert.equal(mine.body.total, mine.body.items.length);
      assert.deepEqual(statusAndCode(await ada.api.get(`/api/orders?userId=${bob.user.id}`)), [403, 'FORBIDDEN']);
      const bobs = await admin.get(`/api/orders?userId=${bob.user.id}&limit=100`);
      assert.ok(bobs.body.items.some((o: { id: string }) => o.id === bobsOrder.id));
      assert.deepEqual(statusAndCode(await anonymous.get('/api/orders')), [401, 'UNAUTHENTICATED']);
    });

    it('answers another customer’s order with the 404 of an order that does not exist, for reads and cancels', async () => {
      assert.equal((await ada.api.get(`/api/orders/${adasOrder.id}`)).status, 200);
      const theirs = await ada.api.get(`/api/orders/${bobsOrder.id}`);
      assert.deepEqual({ ...theirs.body, requestId: undefined }, { statusCode: 404, code: 'ORDER_NOT_FOUND', message: `Order ${bobsOrder.id} does not exist`, requestId: undefined });
      assert.deepEqual(statusAndCode(await ada.api.post(`/api/orders/${bobsOrder.id}/cancel`)), [404, 'ORDER_NOT_FOUND']);
      assert.equal((await admin.get(`/api/orders/${bobsOrder.id}`)).body.status, 'confirmed', 'the refused cancel changed nothing');
      assert.equal((await ada.api.post(`/api/orders/${adasOrder.id}/cancel`)).body.status, 'cancelled');
      assert.equal((await admin.post(`/api/orders/${bobsOrder.id}/cancel`)).body.status, 'cancelled', 'an admin cancels anyone’s');
    });

    it('puts the caller on every Kafka message the call causes, saga steps included', async () => {
      const requestId = `auth-headers-${Date.now()}`;
      const res = await ada.api.post('/api/orders', { items: [{ productId: product.id, quantity: 1 }] }, { 'x-request-id': requestId });
      assert.equal(res.status, 201);
      const byRequest = (m: { headers: Record<string, string> }) => m.headers[HEADERS.REQUEST_ID] === requestId;
      for (const topic of [RPC.ORDER_CREATE.pattern, RPC.USER_GET.pattern]) {
        const message = await watcher.waitFor(topic, byRequest);
        assert.deepEqual([message.headers[HEADERS.USER_ID], message.headers[HEADERS.USER_ROLE]], [ada.user.id, 'customer'], topic);
      }
    });
  });

  it('asks a token for /api/status', async () => {
    assert.deepEqual(statusAndCode(await anonymous.get('/api/status')), [401, 'UNAUTHENTICATED']);
    assert.equal((await ada.api.get('/api/status')).status, 200);
  });

  describe('rate limits', () => {
    it('answers a brute-force login burst from one client with 429 RATE_LIMITED and Retry-After after 5, never a 5xx', async () => {
      const email = uniqueEmail('victim');
      const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => anonymous.post('/api/auth/login', { email, password: `guess-number-${i}` })));
      const statuses = burst.map((r) => r.status).sort();
      assert.deepEqual(statuses, [...Array(5).fill(401), ...Array(7).fill(429)]);
      const limited = burst.find((r) => r.status === 429)!;
      assert.equal(limited.body.code, 'RATE_LIMITED');
      const retryAfter = Number(limited.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${retryAfter}`);
      const another = await anonymous.post('/api/auth/login', { email: ada.user.email, password: ada.password });
      assert.equal(another.status, 200, 'another email from the same client is not limited');
    });

    it('limits registrations per client and email the same way', async () => {
      const email = uniqueEmail('spam');
      const tries = [];
      for (let i = 0; i < 6; i++) tries.push((await anonymous.post('/api/auth/register', { email, name: 'Spam', password: PASSWORD })).status);
      assert.deepEqual(tries, [201, 409, 409, 409, 409, 429]);
    });

    describe('per client, from configuration, with CORS origins from configuration', () => {
      let limited: AppProcess;
      before(async () => {
        limited = await startApp('gateway', { infra: system.infra, name: 'gateway-limited', env: { RATE_LIMIT_PER_MINUTE: '20', CORS_ORIGINS: 'https://shop.example' } });
      });
      after(() => limited?.stop());

      it('answers 429 past RATE_LIMIT_PER_MINUTE requests a minute, and never limits health, metrics or docs', async () => {
        const api = client(limited.url, tokenFor(ada.user.id, 'customer'));
        const statuses: number[] = [];
        for (let i = 0; i < 22; i++) statuses.push((await api.get(`/api/products/${product.id}`)).status);
        assert.deepEqual(statuses, [...Array(20).fill(200), 429, 429]);
        for (const path of ['/health/live', '/metrics', '/docs-json']) assert.equal((await api.get(path)).status, 200, path);
      });

      it('lets a configured origin call from a browser, and no other', async () => {
        const allowed = await fetch(`${limited.url}/health/live`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
        assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
        for (const method of ['PATCH', 'DELETE']) {
          const preflight = await fetch(`${limited.url}/api/products/${product.id}`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': method } });
          assert.match(preflight.headers.get('access-control-allow-methods') ?? '', new RegExp(`\\b${method}\\b`), `a browser may send ${method}`);
        }
        const other = await fetch(`${limited.url}/health/live`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
        assert.equal(other.headers.get('access-control-allow-origin'), null);
      });

      it('answers a preflight with its request id and security headers, logs and counts it, and lets the browser read a refused body', async () => {
        const preflights = async () => Number(/http_request_duration_seconds_count\{[^}]*method="OPTIONS",route="\*",status="204"\} (\d+)/.exec(await (await fetch(`${limited.url}/metrics`)).text())?.[1] ?? 0);
        const before = await preflights();
        const preflight = await fetch(`${limited.url}/api/orders`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'x-request-id': 'preflight-1' } });
        assert.equal(preflight.status, 204);
        assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
        assert.equal(preflight.headers.get('x-request-id'), 'preflight-1');
        assert.equal(preflight.headers.get('x-content-type-options'), 'nosniff');
        // Counted when the response closes, which may come a moment after the client has it.
        await waitUntil(async () => (await preflights()) > before, 'the preflight in the HTTP metrics');
        assert.equal(await preflights(), before + 1, 'counted once');
        await waitUntil(() => limited.readLog().includes('"requestId":"preflight-1","msg":"OPTIONS /api/orders answered 204'), 'the preflight\'s access line');
        for (const [contentType, body, status, code] of [['application/json', '{"email":', 400, 'MALFORMED_JSON'], ['text/plain', 'hello', 415, 'UNSUPPORTED_MEDIA_TYPE']] as const) {
          const refused = await fetch(`${limited.url}/api/auth/login`, { method: 'POST', headers: { origin: 'https://shop.example', 'content-type': contentType }, body });
          assert.equal(refused.status, status);
          assert.equal(refused.headers.get('access-control-allow-origin'), 'https://shop.example', `a browser may read why (${code})`);
          assert.equal(((await refused.json()) as { code: string }).code, code);
        }
      });
    });
  });

  it('sends security headers (helmet)', async () => {
    const res = await anonymous.get('/api/products');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('refuses to boot with NODE_ENV=production and no JWT_SECRET', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production', PORT: '1', KAFKA_BROKERS: system.infra.kafkaBrokers };
    delete env.JWT_SECRET;
    delete env.NODE_TEST_CONTEXT;
    for (const app of ['gateway', 'user-service']) {
      const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', app, 'dist', 'main.js')], { env, encoding: 'utf8', timeout: 60_000 });
      assert.equal(run.status, 1, `${app}: ${run.stdout}${run.stderr}`);
      assert.match(run.stdout + run.stderr, /JWT_SECRET is required when NODE_ENV=production/);
    }
  });

  it('writes no password and no password hash in any answer, log line or Kafka message', async () => {
    const password = `secret-${Date.now()}-plaintext`;
    const email = uniqueEmail('secret');
    const registered = await anonymous.post('/api/auth/register', { email, name: 'Secret', password });
    const loggedIn = await anonymous.post('/api/auth/login', { email, password });
    const changed = await client(url, loggedIn.body.accessToken).patch(`/api/users/${registered.body.id}`, { password: `${password}-2` });
    const failed = await anonymous.post('/api/auth/login', { email, password });
    assert.deepEqual([registered.status, loggedIn.status, changed.status, failed.status], [201, 200, 200, 401]);
    await watcher.waitFor(EVENTS.USER_CREATED.topic, (m) => m.key === registered.body.id);
    await watcher.waitFor(replyTopicOf('gateway'), (m) => m.headers[HEADERS.REQUEST_ID] === failed.headers.get('x-request-id'));

    const mongo = await MongoClient.connect(system.infra.mongoUri);
    const stored = await mongo.db('users').collection('users').findOne({ email });
    await mongo.close();
    const hash = String(stored?.passwordHash);
    assert.match(hash, /^scrypt\$/);
    const secrets = [password, `${password}-2`, hash, hash.split('$').pop()!];

    const answers = JSON.stringify([registered, loggedIn, changed, failed].map((r) => r.body));
    const topics = JSON.stringify(watcher.messages());
    assert.ok(topics.includes(registered.body.id) && topics.includes('sealedPassword'), 'the topics were read');
    const logs = Object.values(system.apps)
      .flat()
      .map((p) => readFileSync(p.logFile, 'utf8'))
      .join('\n');
    assert.ok(logs.includes(email) || logs.includes(registered.body.id), 'the logs were read');
    for (const secret of secrets) {
      for (const [where, text] of Object.entries({ answers, topics, logs })) assert.equal(text.includes(secret), false, `a secret appears in the ${where}`);
    }
  });

  it('creates the admin from ADMIN_PASSWORD and the Swagger examples’ customer from DEMO_PASSWORD', async () => {
    const adminApi = await login(url, EXAMPLE_ACCOUNTS.admin.email, EXAMPLE_ACCOUNTS.admin.password);
    assert.equal((await adminApi.get('/api/auth/me')).body.id, ADMIN.id);
    const demo = await login(url, EXAMPLE_ACCOUNTS.customer.email, EXAMPLE_ACCOUNTS.customer.password);
    assert.deepEqual(
      [(await demo.get('/api/auth/me')).body.id, (await demo.get('/api/auth/me')).body.role],
      [EXAMPLE_IDS.user, 'customer'],
    );
  });
});
