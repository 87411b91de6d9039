import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { startNodeService, withHeapCap } from './apps';
import { kafkaServerProperties, newClusterId } from './kafka';
import { freePort, isPortFree } from './ports';

function parseProperties(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    map.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return map;
}

describe('kafka server.properties', () => {
  const props = parseProperties(kafkaServerProperties({ logDir: '/tmp/k', port: 19999, controllerPort: 19998 }));

  it('runs one KRaft node that is broker and controller on loopback', () => {
    assert.equal(props.get('process.roles'), 'broker,controller');
    assert.equal(props.get('controller.quorum.voters'), '1@127.0.0.1:19998');
    assert.equal(props.get('listeners'), 'PLAINTEXT://127.0.0.1:19999,CONTROLLER://127.0.0.1:19998');
    assert.equal(props.get('advertised.listeners'), 'PLAINTEXT://127.0.0.1:19999');
    assert.equal(props.get('log.dirs'), '/tmp/k');
  });

  it('never auto-creates topics and uses one replica for internal topics', () => {
    assert.equal(props.get('auto.create.topics.enable'), 'false');
    assert.equal(props.get('offsets.topic.replication.factor'), '1');
    assert.equal(props.get('transaction.state.log.replication.factor'), '1');
    assert.equal(props.get('transaction.state.log.min.isr'), '1');
  });

  it('has the lone controller write its no-op metadata records every 5 s, not every 500 ms (the idle cost)', () => {
    assert.equal(props.get('metadata.max.idle.interval.ms'), '5000');
  });

  it('generates cluster ids in Kafka format', () => {
    for (let i = 0; i < 50; i++) {
      const id = newClusterId();
      assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
      assert.equal(Buffer.from(id, 'base64url').length, 16);
    }
  });
});

describe('ports', () => {
  it('freePort returns a loopback port that can be bound, and isPortFree sees it taken', async () => {
    const port = await freePort();
    assert.ok(port > 0 && port < 65536);
    assert.equal(await isPortFree(port), true);
    const server = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      assert.equal(await isPortFree(port), false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('app processes (with a stub service)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-spec-'));
  const stub = path.join(dir, 'stub.js');
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Becomes ready after 300 ms; exits at once when asked to crash.
  fs.writeFileSync(
    stub,
    `if (process.env.CRASH) { console.error('boom: ' + process.env.CRASH); process.exit(3); }
     const started = Date.now();
     require('node:http').createServer((req, res) => {
       res.statusCode = req.url === '/health/ready' && Date.now() - started > 300 ? 200 : 503;
       res.end();
     }).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('stub listening on ' + process.env.PORT));`,
  );

  it('waits for /health/ready, passes env, logs to its file, and stops', async () => {
    const port = await freePort();
    const app = await startNodeService({ script: stub, app: 'gateway', name: 'stub', port, logDir: dir, env: { PORT: String(port) } });
    try {
      assert.equal(app.url, `http://127.0.0.1:${port}`);
      assert.equal((await fetch(`${app.url}/health/ready`)).status, 200);
      assert.match(app.readLog(), new RegExp(`stub listening on ${port}`));
      assert.equal(app.logFile, path.join(dir, 'stub.log'));
    } finally {
      await app.stop();
    }
    assert.equal(await isPortFree(port), true);
  });

  it('fails with the log tail when the process exits before it is ready', async () => {
    const port = await freePort();
    await assert.rejects(
      startNodeService({ script: stub, app: 'gateway', name: 'crash', port, logDir: dir, env: { PORT: String(port), CRASH: 'bad config' } }),
      (err: Error) => /exited with code 3/.test(err.message) && /boom: bad config/.test(err.message),
    );
  });

  it('refuses a port someone else already listens on', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      await assert.rejects(
        startNodeService({ script: stub, app: 'gateway', name: 'taken', port, logDir: dir, env: { PORT: String(port) } }),
        /already in use/,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('V8 heap cap', () => {
  it('caps old space at 160 MB, keeping what NODE_OPTIONS already says, unless it sets a cap of its own', () => {
    assert.equal(withHeapCap(undefined), '--max-old-space-size=160');
    assert.equal(withHeapCap('--require ./profile.cjs'), '--require ./profile.cjs --max-old-space-size=160');
    assert.equal(withHeapCap('--max-old-space-size=512'), '--max-old-space-size=512');
    assert.equal(withHeapCap('--max_old_space_size=512'), '--max_old_space_size=512');
  });
});

describe('dev accounts', () => {
  it('give user-service the public dev passwords unless ADMIN_PASSWORD and DEMO_PASSWORD are set', async () => {
    const { EXAMPLE_ACCOUNTS } = await import('@shop/contracts');
    const { devAccounts } = await import('./apps');
    const saved = { ...process.env };
    try {
      delete process.env.ADMIN_PASSWORD;
      delete process.env.DEMO_PASSWORD;
      assert.deepEqual(devAccounts(), { ADMIN_PASSWORD: EXAMPLE_ACCOUNTS.admin.password, DEMO_PASSWORD: EXAMPLE_ACCOUNTS.customer.password });
      process.env.ADMIN_PASSWORD = 'my-own-admin-password';
      assert.equal(devAccounts().ADMIN_PASSWORD, 'my-own-admin-password');
    } finally {
      process.env = saved;
    }
  });
});

describe('what a killed run left', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leftovers-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stops the processes it recorded and forgets them, and leaves alone a pid that now names another process', async () => {
    const { spawn } = await import('node:child_process');
    const { recordProcess, stopLeftovers } = await import('./leftovers');
    const left = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const bystander = spawn('sleep', ['61'], { detached: true, stdio: 'ignore' });
    const exited = new Promise((resolve) => left.once('exit', resolve));
    try {
      recordProcess(dir, 'kafka', left.pid!);
      // A record whose pid runs something else now (as after a reboot), and one in the old format.
      const file = path.join(dir, 'processes.json');
      const records = JSON.parse(fs.readFileSync(file, 'utf8'));
      records.push({ name: 'gateway', pid: bystander.pid, identity: '1 node gateway/dist/main.js' }, { name: 'ferretdb', pid: 999_999, cmdline: 'ferretdb' });
      fs.writeFileSync(file, JSON.stringify(records));
      assert.deepEqual(await stopLeftovers(dir), [`kafka (pid ${left.pid})`]);
      await exited;
      assert.equal(bystander.exitCode, null, 'the other process still runs');
      assert.equal(fs.existsSync(file), false, 'the record is forgotten');
      assert.deepEqual(await stopLeftovers(dir), [], 'nothing to stop the second time');
    } finally {
      left.kill('SIGKILL');
      bystander.kill('SIGKILL');
    }
  });

  it('names the process that holds a taken port', async () => {
    const { portOwner } = await import('./leftovers');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const owner = portOwner((server.address() as net.AddressInfo).port);
      assert.equal(owner?.pid, process.pid);
      assert.match(owner!.command, /node/);
    } finally {
      server.close();
    }
  });
});

describe('kafka server.properties of a cluster node', () => {
  const props = parseProperties(kafkaServerProperties({ logDir: '/tmp/k2', port: 19994, controllerPort: 19995, nodeId: 2, quorum: { 1: 19993, 2: 19995, 3: 19997 } }));

  it('names the node and every voter of the quorum', () => {
    assert.equal(props.get('node.id'), '2');
    assert.equal(props.get('controller.quorum.voters'), '1@127.0.0.1:19993,2@127.0.0.1:19995,3@127.0.0.1:19997');
    assert.equal(props.get('listeners'), 'PLAINTEXT://127.0.0.1:19994,CONTROLLER://127.0.0.1:19995');
  });

  it('replicates the internal topics three times, two in sync, like the apps’ topics', () => {
    for (const key of ['offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'default.replication.factor']) assert.equal(props.get(key), '3', key);
    for (const key of ['transaction.state.log.min.isr', 'min.insync.replicas']) assert.equal(props.get(key), '2', key);
  });

  it("keeps Kafka's no-op metadata records every 500 ms, which the other controllers see", () => {
    assert.equal(props.get('metadata.max.idle.interval.ms'), undefined);
  });
});
