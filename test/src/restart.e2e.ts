import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { waitUntil } from '@shop/stack';
import { ADMIN, asAdmin, PASSWORD } from './support/auth';
import { Client } from './support/http';
import { RunningCli, StackCli, stackCli } from './support/stack-cli';

const DEMO_USER = '6650f0c2a1b2c3d4e5f60718';
const DEMO_PRODUCT = '6650f0c2a1b2c3d4e5f60719';
const DEMO_EMAIL = 'demo@example.com';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * `npm start` again on whatever the last run left: data changed through the API, a stack
 * process killed alone, everything killed, a port taken by someone else. One stack, the
 * same ports and data folder throughout, as a user's machine has.
 */
describe('npm start starts again on what the last run left', { timeout: 600_000 }, () => {
  let stack: StackCli;
  let run: RunningCli | undefined;
  let api: Client;
  /** What the first run created: it must survive every restart. */
  const kept: string[] = [];

  before(async () => {
    stack = await stackCli('restart');
    api = asAdmin(stack.gatewayUrl);
  });
  after(() => {
    if (run && run.child.exitCode === null) run.child.kill('SIGKILL');
    for (const pid of stack.processes()) process.kill(pid, 'SIGKILL');
    rmSync(stack.dataDir, { recursive: true, force: true });
  });

  async function everythingKept(): Promise<void> {
    for (const path of kept) assert.equal((await api.get(path)).status, 200, `${path} is still there`);
  }

  it('restarts after the demo records were deleted and the demo e-mail registered by someone else', async () => {
    run = await stack.up();
    assert.match(run.output(), /seeded the Swagger examples' product/);
    assert.match(run.output(), new RegExp(`Admin login +${ADMIN.email} / ${ADMIN.password}`), 'npm start prints the dev admin login');
    const order = await api.post('/api/orders', { userId: DEMO_USER, items: [{ productId: DEMO_PRODUCT, quantity: 1 }] });
    assert.equal(order.status, 201, JSON.stringify(order.body));
    const product = await api.post('/api/products', { name: 'Desk lamp', priceCents: 2500, stock: 5 });
    assert.equal((await api.delete(`/api/products/${DEMO_PRODUCT}`)).status, 204);
    assert.equal((await api.delete(`/api/users/${DEMO_USER}`)).status, 204);
    const someoneElse = await api.post('/api/users', { password: PASSWORD, email: DEMO_EMAIL, name: 'Someone Else' });
    assert.equal(someoneElse.status, 201, JSON.stringify(someoneElse.body));
    kept.push(`/api/orders/${order.body.id}`, `/api/products/${product.body.id}`, `/api/users/${someoneElse.body.id}`);

    run.child.kill('SIGINT');
    assert.equal(await run.exited, 0, run.output());

    run = await stack.up();
    assert.match(run.output(), /the Swagger examples name product 6650f0c2a1b2c3d4e5f60719, deleted since; `npm run reset` brings it back/);
    await everythingKept();
    // The demo customer is not made again: its e-mail belongs to someone else now.
    assert.equal((await api.get(`/api/users/${DEMO_USER}`)).status, 404, 'what the user deleted stays deleted');
    assert.equal((await api.get(`/api/products/${DEMO_PRODUCT}`)).status, 404);
    // Deleting its user cancels the order (user.deleted, consumed by order-service, maybe after the restart).
    await waitUntil(async () => (await api.get(`/api/orders/${order.body.id}`)).body.status === 'cancelled', 'the deleted user’s order to be cancelled');
  });

  it('restarts after the stack process alone was killed, stopping what it left running', async () => {
    const before = stack.processes();
    assert.ok(before.length >= 6, 'Kafka, the database and four apps run');
    run!.child.kill('SIGKILL');
    await run!.exited;
    assert.deepEqual(before.filter((pid) => !alive(pid)), [], 'the children outlive a stack process killed alone');

    run = await stack.up();
    assert.match(run.output(), /stopped what the last run of stack "restart-\d+" left running: .*kafka/);
    assert.deepEqual(before.filter(alive), [], 'no process of the old run is left');
    await everythingKept();
  });

  it('restarts after every process of the stack was killed (Kafka and the database shut down uncleanly)', async () => {
    const all = stack.processes();
    run!.child.kill('SIGKILL');
    for (const pid of all) process.kill(pid, 'SIGKILL');
    await run!.exited;
    run = await stack.up();
    await everythingKept();
    const order = await api.post('/api/orders', { userId: kept[2].split('/').pop(), items: [{ productId: kept[1].split('/').pop(), quantity: 1 }] });
    assert.equal(order.status, 201, 'the restarted system takes new orders');
  });

  it('refuses to start, naming the port and its process, when something else holds a port', async () => {
    run!.child.kill('SIGINT');
    assert.equal(await run!.exited, 0);
    run = undefined;
    const squatter = net.createServer();
    await new Promise<void>((resolveListen) => squatter.listen(stack.ports.gateway, '127.0.0.1', resolveListen));
    try {
      const started = Date.now();
      const { code, output } = await stack.upExpectingFailure();
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`port ${stack.ports.gateway} for gateway \\(GATEWAY_PORT\\) is already in use by pid ${process.pid} \\(`));
      assert.doesNotMatch(output, /Kafka .* ready/, 'nothing started before the check');
      assert.deepEqual(stack.processes(), [], 'no process left');
      console.log(`# a taken port was reported in ${Date.now() - started} ms`);
    } finally {
      squatter.close();
    }
  });
});
