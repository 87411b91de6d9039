import { freePort } from '@shop/stack';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';

const REPO_ROOT = resolve(__dirname, '..', '..');

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
function exampleOf(spec: OpenApi, name: string): unknown {
  const build = (schema: Schema): unknown => {
    if (schema.$ref) return build(spec.components.schemas[schema.$ref.split('/').pop()!]);
    if (schema.example !== undefined) return schema.example;
    if (schema.type === 'array' && schema.items) return [build(schema.items)];
    return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, build(v)]));
  };
  return build(spec.components.schemas[name]);
}

function paramExample(spec: OpenApi, path: string): string {
  const param = spec.paths[path].get.parameters!.find((p) => p.name === 'id')!;
  return String(param.example ?? param.schema?.example);
}

/** Processes whose environment names one of these ports (the stack's apps) or whose command line names the stack's data folder. */
function stackProcesses(ports: number[], dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (cmdline.includes(dataDir) || ports.some((p) => environ.includes(`PORT=${p}`))) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

describe('the README run command: npm start (tools/stack up)', () => {
  let child: ChildProcess | undefined;

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('brings Kafka, the database and the four apps up, serves Swagger, and Ctrl-C leaves no process', { timeout: 180_000 }, async () => {
    const ports = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    const [kafka, controller, mongo, gateway, users, products, orders] = ports;
    const name = `run-command-${process.pid}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      STACK_NAME: name,
      KAFKA_PORT: String(kafka),
      KAFKA_CONTROLLER_PORT: String(controller),
      MONGO_PORT: String(mongo),
      GATEWAY_PORT: String(gateway),
      USER_SERVICE_PORT: String(users),
      PRODUCT_SERVICE_PORT: String(products),
      ORDER_SERVICE_PORT: String(orders),
    };
    delete env.KAFKA_BROKERS; // start its own servers, as on a fresh machine
    delete env.MONGO_URI;
    delete env.NODE_TEST_CONTEXT;

    const started = Date.now();
    child = spawn(process.execPath, [join(REPO_ROOT, 'tools/stack/dist/cli.js'), 'up'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolveExit) => child!.once('exit', (code) => resolveExit(code)));

    await new Promise<void>((resolveUp, reject) => {
      const check = () => {
        if (/\[stack\] up in [\d.]+ s/.test(output)) return resolveUp();
        if (child!.exitCode !== null) return reject(new Error(`npm start exited early:\n${output}`));
        setTimeout(check, 100);
      };
      check();
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`# npm start: the whole system was ready in ${seconds.toFixed(1)} s (installs already done)`);
    assert.ok(seconds < 180, `ready within 3 minutes (took ${seconds} s)`);
    assert.match(output, new RegExp(`Swagger UI\\s+http://127\\.0\\.0\\.1:${gateway}/docs`));
    assert.match(output, new RegExp(`Kafka bootstrap\\s+127\\.0\\.0\\.1:${kafka}`));
    assert.match(output, /MongoDB URI\s+mongodb:\/\//);

    const base = `http://127.0.0.1:${gateway}`;
    assert.equal((await fetch(`${base}/health/ready`)).status, 200);
    const docs = await fetch(`${base}/docs`);
    assert.equal(docs.status, 200);
    assert.match(await docs.text(), /swagger-ui/i);
    const spec = (await (await fetch(`${base}/docs-json`)).json()) as OpenApi;
    assert.ok(spec.paths['/api/users']);

    // What Swagger UI's "Try it out" sends: the schemas' examples, on a fresh stack.
    const example = (name: string) => exampleOf(spec, name);
    const tryIt = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    assert.equal((await tryIt('POST', '/api/users', example('CreateUserRequest'))).status, 201);
    assert.equal((await tryIt('POST', '/api/products', example('CreateProductRequest'))).status, 201);
    const order = await tryIt('POST', '/api/orders', example('CreateOrderRequest'));
    assert.equal(order.status, 201, JSON.stringify(order.body));
    assert.equal(order.body.status, 'confirmed');
    const productPath = `/api/products/${paramExample(spec, '/api/products/{id}')}`;
    const product = await tryIt('GET', productPath);
    assert.equal(product.status, 200);
    assert.equal(product.body.stock, 999, 'the seeded product sold one');
    assert.equal((await tryIt('GET', `/api/users/${paramExample(spec, '/api/users/{id}')}`)).status, 200);

    const dataDir = join(REPO_ROOT, '.stack', 'data', name);
    assert.ok(stackProcesses(ports, dataDir).length >= 6, 'Kafka, the database and four apps are running');
    child.kill('SIGINT');
    assert.equal(await exited, 0, output);
    assert.match(output, /\[stack\] stopped/);
    assert.deepEqual(stackProcesses(ports, dataDir), [], 'no process left behind');
    rmSync(dataDir, { recursive: true, force: true }); // its logs stay in .stack/logs
  });
});
