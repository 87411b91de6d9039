import { EXAMPLE_ACCOUNTS, EXAMPLE_IDS } from '@shop/contracts';
import { chromiumOrWhy, installSchemathesis } from '@shop/stack';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { after, before, describe, it } from 'node:test';
import createClient from 'openapi-fetch';
import { chromium } from 'playwright-core';
import type { paths } from './client/shop-api';
import { PASSWORD } from './support/auth';
import { client, uniqueEmail } from './support/http';
import { REPO_ROOT, RunningCli, stackCli, StackCli } from './support/stack-cli';

/** Screenshots, the fuzzer's report and its output: git-ignored, kept after the run. */
const OUTPUT = join(REPO_ROOT, 'test', 'output', 'contract');
const SCHEMATHESIS_SEED = '20261201';
const SCHEMATHESIS_EXAMPLES = '60';

/** The flags Chromium needs on a closed, GPU-less machine as root. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('the OpenAPI document is the contract (on npm start, as its users meet it)', () => {
  let stack: StackCli;
  let run: RunningCli;
  let base: string;

  before(async () => {
    rmSync(OUTPUT, { recursive: true, force: true });
    mkdirSync(OUTPUT, { recursive: true });
    stack = await stackCli('contract');
    run = await stack.up();
    base = stack.gatewayUrl;
  });

  after(async () => {
    if (!run) return;
    run.child.kill('SIGINT');
    await run.exited;
    rmSync(stack.dataDir, { recursive: true, force: true });
  });

  it('serves at /docs-json exactly the committed docs/openapi.json', async () => {
    const served = await (await fetch(`${base}/docs-json`)).json();
    const committed = JSON.parse(readFileSync(join(REPO_ROOT, 'docs', 'openapi.json'), 'utf8'));
    assert.ok(isDeepStrictEqual(served, committed), 'docs/openapi.json is not what the gateway serves: run npm run docs:openapi');
  });

  it('Swagger UI in Chromium: log in with the example, Authorize, place the example order and read the 201', { timeout: 120_000 }, async () => {
    const found = chromiumOrWhy();
    assert.ok('path' in found, 'missing' in found ? found.missing : '');
    const browser = await chromium.launch({ executablePath: found.path, headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      const failed: string[] = [];
      page.on('requestfailed', (request) => failed.push(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
      await page.goto(`${base}/docs`);

      // POST /api/auth/login with the example the page shows (the dev admin npm start prints).
      const login = page.locator('#operations-auth-AuthController_login');
      await login.locator('.opblock-summary').click();
      await login.getByRole('button', { name: 'Try it out' }).click();
      await login.getByRole('button', { name: 'Execute' }).click();
      await login.locator('.live-responses-table tbody .response-col_status', { hasText: '200' }).waitFor();
      const token = JSON.parse((await login.locator('.live-responses-table tbody .response-col_description pre').first().textContent()) ?? '{}').accessToken;
      assert.match(String(token), /^ey[\w-]+\.[\w-]+\.[\w-]+$/, 'the login answer, read in the page, carries the token');

      // Authorize with it, as the page's description says.
      await page.locator('.auth-wrapper .authorize').click();
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.locator('#auth-bearer-value').fill(token);
      await dialog.getByRole('button', { name: 'Apply credentials' }).click();
      await dialog.getByRole('button', { name: 'Close' }).click();

      // POST /api/orders with its example: the demo customer buys one of the seeded product.
      const create = page.locator('#operations-orders-OrdersController_create');
      await create.locator('.opblock-summary').click();
      await create.getByRole('button', { name: 'Try it out' }).click();
      const body = JSON.parse(await create.locator('textarea.body-param__text').inputValue());
      assert.deepEqual(body, { userId: EXAMPLE_IDS.user, items: [{ productId: EXAMPLE_IDS.product, quantity: 1 }] }, 'the example shown');
      await create.getByRole('button', { name: 'Execute' }).click();
      const status = create.locator('.live-responses-table tbody .response-col_status', { hasText: '201' });
      await status.waitFor();
      const answer = JSON.parse((await create.locator('.live-responses-table tbody .response-col_description pre').first().textContent()) ?? '{}');
      await status.scrollIntoViewIfNeeded();
      const screenshot = join(OUTPUT, 'swagger-ui-order-201.png');
      await page.screenshot({ path: screenshot });
      console.log(`# Swagger UI answered 201 for POST /api/orders; screenshot: ${screenshot}`);
      assert.deepEqual(failed, [], 'every request of the page succeeded');

      assert.equal(answer.status, 'confirmed');
      const stored = await client(base, token).get(`/api/orders/${answer.id}`);
      assert.equal(stored.status, 200);
      assert.equal(stored.body.userId, EXAMPLE_IDS.user, 'the order the page placed is the one stored');
    } finally {
      await browser.close();
    }
  });

  it('a client generated from the document (openapi-typescript + openapi-fetch) registers, logs in and places an order', async () => {
    const api = createClient<paths>({ baseUrl: base });
    const email = uniqueEmail('generated-client');
    const registered = await api.POST('/api/auth/register', { body: { email, name: 'Generated Client', password: PASSWORD } });
    assert.equal(registered.response.status, 201, JSON.stringify(registered.error));
    const loggedIn = await api.POST('/api/auth/login', { body: { email, password: PASSWORD } });
    assert.ok(loggedIn.data, JSON.stringify(loggedIn.error));

    const customer = createClient<paths>({ baseUrl: base, headers: { authorization: `Bearer ${loggedIn.data.accessToken}` } });
    const placed = await customer.POST('/api/orders', {
      params: { header: { 'Idempotency-Key': `generated-${Date.now()}` } },
      body: { items: [{ productId: EXAMPLE_IDS.product, quantity: 2 }] },
    });
    assert.equal(placed.response.status, 201, JSON.stringify(placed.error));
    assert.ok(placed.data && 'items' in placed.data);
    assert.equal(placed.data.status, 'confirmed');
    assert.equal(placed.data.userId, registered.data?.id, 'the caller’s own order');
    assert.equal(placed.data.items[0].quantity, 2);

    const read = await customer.GET('/api/orders/{id}', { params: { path: { id: placed.data.id } } });
    assert.equal(read.data?.totalCents, placed.data.totalCents);

    // Errors come typed too: the one error shape, with each bad field in details.
    const refused = await customer.POST('/api/orders', { body: { items: [] } });
    assert.equal(refused.response.status, 400);
    assert.equal(refused.error?.code, 'VALIDATION_FAILED');
    assert.deepEqual(Array.isArray(refused.error?.details) && refused.error.details.map((d) => d.field), ['items']);
  });

  it('answers what the document says where it once did not (what schemathesis found)', async () => {
    const { email, password } = EXAMPLE_ACCOUNTS.admin;
    const admin = client(base, (await client(base).post('/api/auth/login', { email, password })).body.accessToken);
    const put = await fetch(`${base}/api/status`, { method: 'PUT' });
    assert.equal(put.status, 405, 'a method the path does not have');
    assert.equal(put.headers.get('allow'), 'GET, HEAD, OPTIONS');
    assert.equal(((await put.json()) as { code: string }).code, 'METHOD_NOT_ALLOWED');
    const nulls = await admin.patch(`/api/products/${EXAMPLE_IDS.product}`, { lowStockThreshold: null });
    assert.equal(nulls.status, 400, 'null for a field that may only be left out (was a 500)');
    assert.equal(nulls.body.details[0].field, 'lowStockThreshold');
    for (const query of ['limit=1.5', 'offset=1e308', 'limit=20&extra=1']) assert.equal((await admin.get(`/api/products?${query}`)).status, 400, query);
    assert.equal((await admin.get('/api/products/not-an-id')).status, 400);
  });

  it('schemathesis, every check and the stateful phase, finds nothing', { timeout: 600_000 }, async () => {
    const schemathesis = await installSchemathesis({ quiet: true });
    // A fuzzing admin of its own: the fuzzer deletes and changes users, the boot admin among them.
    const { email, password } = EXAMPLE_ACCOUNTS.admin;
    const admin = await client(base).post('/api/auth/login', { email, password });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    const fuzzer = { email: uniqueEmail('fuzzer'), password: PASSWORD };
    assert.equal((await client(base, admin.body.accessToken).post('/api/users', { ...fuzzer, name: 'Fuzzer', role: 'admin' })).status, 201);
    const token = (await client(base).post('/api/auth/login', fuzzer)).body.accessToken;

    const args = [
      '--config-file', join(REPO_ROOT, 'test', 'schemathesis.toml'),
      'run', `${base}/docs-json`,
      '--checks', 'all',
      '--seed', SCHEMATHESIS_SEED,
      '--max-examples', SCHEMATHESIS_EXAMPLES,
      '--header', `Authorization: Bearer ${token}`,
      '--report', 'junit', '--report-dir', OUTPUT,
      '--no-color',
    ];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(schemathesis, args, { cwd: OUTPUT, env: { ...process.env, PYTHONUNBUFFERED: '1' } });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.stderr.on('data', (chunk) => (text += chunk));
      child.once('exit', (exitCode) => resolve({ code: exitCode, output: text }));
    });
    const log = join(OUTPUT, 'schemathesis.txt');
    writeFileSync(log, output);
    const summary = output.slice(output.lastIndexOf('SUMMARY'));
    console.log(`# schemathesis (output in ${log}):\n${summary.replace(/^/gm, '# ')}`);
    assert.equal(code, 0, `schemathesis failed; see ${log}\n${output.slice(output.indexOf('FAILURES'))}`);
    for (const phase of ['Examples', 'Coverage', 'Fuzzing', 'Stateful']) assert.match(summary, new RegExp(`✅ ${phase}`), `the ${phase} phase ran and passed`);
    const [, generated, passed] = /(\d+) generated, (\d+) passed/.exec(summary) ?? [];
    assert.ok(Number(generated) > 1000 && passed === generated, `every generated case passed (${passed} of ${generated})`);
  });
});
