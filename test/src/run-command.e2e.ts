import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { stackCli } from './support/stack-cli';

interface Schema {
  type?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  $ref?: string;
}
interface OpenApi {
  paths: Record<string, Record<string, { parameters?: { name: string; example?: unknown; schema?: { example?: unknown } }[] }>>;
  components: { schemas: Record<string, Schema> };
}

/** The example body Swagger UI builds from a schema's property examples. */
function exampleOf(spec: OpenApi, name: string): Record<string, unknown> {
  const build = (schema: Schema): unknown => {
    if (schema.$ref) return build(spec.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema.example !== undefined) return schema.example;
    if (schema.type === 'array' && schema.items) return [build(schema.items)];
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, build(v)]));
  };
  return build(spec.components.schemas[name]) as Record<string, unknown>;
}

function paramExample(spec: OpenApi, path: string): string {
  const param = spec.paths[path].get.parameters!.find((p) => p.name === 'id')!;
  return String(param.example ?? param.schema?.example);
}

describe('the README run command: npm start (tools/stack up)', () => {
  let child: ChildProcess | undefined;

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('brings Kafka, the database and the four apps up, serves Swagger, and Ctrl-C leaves no process', { timeout: 180_000 }, async () => {
    const stack = await stackCli('run-command');
    const { kafka, gateway } = stack.ports;
    const started = Date.now();
    const run = await stack.up();
    child = run.child;
    const output = () => run.output();
    const seconds = (Date.now() - started) / 1000;
    console.log(`# npm start: the whole system was ready in ${seconds.toFixed(1)} s (installs already done)`);
    assert.ok(seconds < 180, `ready within 3 minutes (took ${seconds} s)`);
    assert.match(output(), new RegExp(`Swagger UI\\s+http://127\\.0\\.0\\.1:${gateway}/docs`));
    assert.match(output(), new RegExp(`Kafka bootstrap\\s+127\\.0\\.0\\.1:${kafka}`));
    assert.match(output(), /MongoDB URI\s+mongodb:\/\//);

    const base = `http://127.0.0.1:${gateway}`;
    assert.equal((await fetch(`${base}/health/ready`)).status, 200);
    const docs = await fetch(`${base}/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/i);
    const spec = (await (await fetch(`${base}/docs-json`)).json()) as OpenApi;
    assert.ok(spec.paths['/api/users']);

    // What Swagger UI's "Try it out" sends: the schemas' examples, on a fresh stack.
    const example = (name: string) => exampleOf(spec, name);
    let token: string | undefined;
    const tryIt = async (method: string, path: string, body?: unknown) => {
      const headers = { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
      const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    };
    assert.equal((await tryIt('GET', '/api/status')).status, 401, 'a token is needed before Authorize');
    // Authorize: log in with the login example (the dev admin that npm start printed), then every example works.
    assert.match(output(), /Admin login\s+admin@example\.com \/ \S+/);
    const loggedIn = await tryIt('POST', '/api/auth/login', example('LoginRequest'));
    assert.equal(loggedIn.status, 200, JSON.stringify(loggedIn.body));
    token = String(loggedIn.body.accessToken);
    assert.equal((await tryIt('GET', '/api/auth/me')).body.role, 'admin');
    assert.equal((await tryIt('GET', '/api/status')).status, 200);
    assert.equal((await tryIt('POST', '/api/auth/register', example('RegisterRequest'))).status, 201);
    const created = await tryIt('POST', '/api/users', { ...example('CreateUserRequest'), email: 'grace@example.com' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await tryIt('POST', '/api/products', example('CreateProductRequest'))).status, 201);
    const order = await tryIt('POST', '/api/orders', example('CreateOrderRequest'));
    assert.equal(order.status, 201, JSON.stringify(order.body));
    assert.equal(order.body.status, 'confirmed');
    const productPath = `/api/products/${paramExample(spec, '/api/products/{id}')}`;
    const product = await tryIt('GET', productPath);
    assert.equal(product.status, 200);
    assert.equal(product.body.stock, 999, 'the seeded product sold one');
    assert.equal((await tryIt('GET', `/api/users/${paramExample(spec, '/api/users/{id}')}`)).status, 200);
    assert.equal((await tryIt('PATCH', `/api/users/${paramExample(spec, '/api/users/{id}')}`, { ...example('UpdateUserRequest'), email: 'ada.king@example.com' })).status, 200);
    assert.equal((await tryIt('POST', `${productPath}/stock`, example('AdjustStockRequest'))).status, 200);
    assert.equal((await tryIt('GET', '/api/orders')).status, 200);
    assert.equal((await tryIt('POST', `/api/orders/${order.body.id}/cancel`)).status, 200);
    assert.equal((await tryIt('GET', `/api/orders/${order.body.id}`)).status, 200);
    assert.equal((await tryIt('GET', '/api/users')).status, 200);
    assert.equal((await tryIt('GET', '/api/products')).status, 200);
    assert.equal((await tryIt('PATCH', productPath, example('UpdateProductRequest'))).status, 200);
    // The deletes last: they take away what the other examples name.
    assert.equal((await tryIt('DELETE', productPath)).status, 204);
    assert.equal((await tryIt('DELETE', `/api/users/${paramExample(spec, '/api/users/{id}')}`)).status, 204);
    const operations = Object.values(spec.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    assert.equal(operations, 19, 'every operation of the document was tried above with its example');

    assert.ok(stack.processes().length >= 6, 'Kafka, the database and four apps are running');
    child.kill('SIGINT');
    assert.equal(await run.exited, 0, output());
    assert.match(output(), /\[stack\] stopped/);
    assert.deepEqual(stack.processes(), [], 'no process left behind');
    rmSync(stack.dataDir, { recursive: true, force: true }); // its logs stay in .stack/logs
  });
});
