/**
 * The systems under test, on one Kafka + database per run: our four apps (a mode of
 * environment variables), or the peer, the stock NestJS Kafka demo of bench/src/peer.
 */
import { APPS, AppProcess, Database, freePort, Infra, startApp, startZipkin, Zipkin } from '@shop/stack';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { WatchedProcess } from './proc-stats';

export interface Mode {
  name: string;
  what: string;
  /** Environment of every app (ours), on top of PORT, HOST, KAFKA_BROKERS and MONGO_URI. */
  env: Record<string, string>;
  /** The stock NestJS demo instead of our apps. */
  peer?: boolean;
  /** Our apps as built in another checkout (`--baseline <dir>`): the same code before a change, measured in the same run. */
  root?: string;
  /** Tracing on: a Zipkin of its own (co-located, measured with the rest), every app exporting to it. */
  traced?: boolean;
  /** The apps' database: the run's (the stack's default: FerretDB on PostgreSQL, or mongod) unless this names another, which the run then starts too. */
  database?: Database;
}

/** JWT_TTL: one login serves a whole run (a setting of the benchmark, not of the product). */
const OURS = { KAFKA_PARTITIONS: '3', JWT_TTL: '2h' };

export const MODES: Record<string, Mode> = {
  ours: { name: 'ours', what: 'our four apps with their default settings, 3 partitions per topic', env: OURS },
  'ours-traced': {
    name: 'ours-traced',
    what: 'ours with tracing on at the default sampling (parentbased_always_on), exporting to a Zipkin the run starts',
    env: OURS,
    traced: true,
  },
  'ours-warn': { name: 'ours-warn', what: 'ours with LOG_LEVEL=warn (no per-request log lines)', env: { ...OURS, LOG_LEVEL: 'warn' } },
  peer: { name: 'peer', what: 'the stock NestJS Kafka demo (bench/src/peer): default kafkajs/NestJS options, 1 partition', env: {}, peer: true },
  baseline: { name: 'baseline', what: 'our four apps as built in the --baseline checkout (the code before a change), same settings as ours', env: OURS },
  'ours-sqlite': {
    name: 'ours-sqlite',
    what: 'ours on a second FerretDB that the run starts, on the SQLite backend (the native default before 2026-12-01), same broker',
    env: OURS,
    database: 'ferretdb-sqlite',
  },
};

/** The peer's topics, created with one partition before it starts (the broker does not create topics). */
export const PEER_TOPICS = ['demo.echo', 'demo.echo.reply'];

export interface System {
  gatewayUrl: string;
  /** The processes of this mode, then Kafka and the database. */
  processes: WatchedProcess[];
  stop(): Promise<void>;
}

/** Starts one mode's processes on a running infra (its database the mode's); the previous mode's are stopped by then. */
export async function startSystem(mode: Mode, infra: Infra): Promise<System> {
  await skipBacklog(infra.kafkaBrokers);
  const started = mode.peer ? await startPeer(infra) : await startOurs(mode, infra);
  return { ...started, processes: [...started.processes, ...infraProcesses(infra)] };
}

async function startOurs(mode: Mode, infra: Infra): Promise<System> {
  const apps: AppProcess[] = [];
  let zipkin: Zipkin | undefined;
  const stop = async () => {
    for (const app of [...apps].reverse()) await app.stop();
    await zipkin?.stop();
  };
  try {
    if (mode.traced) {
      zipkin = await startZipkin({ port: await freePort(), logFile: path.join(infra.logDir, 'zipkin.log') });
      await zipkin.ready();
    }
    const env = { ...mode.env, ...zipkin?.appEnv };
    for (const app of APPS) apps.push(await startApp(app, { infra, env, name: app, root: mode.root }));
  } catch (err) {
    await stop();
    throw err;
  }
  const processes = [...apps.map((a) => ({ name: a.name, pid: a.pid })), ...(zipkin ? [{ name: 'zipkin', pid: zipkin.pid }] : [])];
  return { gatewayUrl: apps.find((a) => a.app === 'gateway')!.url, processes, stop };
}

/**
 * The modes share one broker and their apps the group names, so what one mode left unread
 * (an overload run's requests still queued when it stopped) would be the next mode's work:
 * every group starts at the end of its topics instead. Only the benchmark does this.
 */
async function skipBacklog(brokers: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    // Each partition's end, as a real offset: kafkajs' resetOffsets writes a sentinel that
    // the apps' consumers resolve with their own fromBeginning, so to the start. Only where
    // a group is behind: kafkajs' setOffsets joins the group with a consumer of its own and
    // waits for its first fetch (5 s on a quiet topic), which took a minute per mode start
    // when done for every group and topic.
    const { groups } = await admin.listGroups();
    for (const { groupId } of groups) {
      for (const { topic, partitions: committed } of await admin.fetchOffsets({ groupId })) {
        const ends = await admin.fetchTopicOffsets(topic);
        const behind = ends.some((end) => Number(end.high) > Math.max(0, Number(committed.find((c) => c.partition === end.partition)?.offset ?? -1)));
        if (behind) await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
      }
    }
  } finally {
    await admin.disconnect();
  }
}

export async function createPeerTopics(brokers: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-admin', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: PEER_TOPICS.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

async function startPeer(infra: Infra): Promise<System> {
  const port = await freePort();
  const env = { KAFKA_BROKERS: infra.kafkaBrokers, PORT: String(port) };
  const service = startNode('peer-service', infra.logDir, env);
  const gateway = startNode('peer-gateway', infra.logDir, env);
  const stop = async () => {
    await gateway.stop();
    await service.stop();
  };
  const gatewayUrl = `http://127.0.0.1:${port}`;
  try {
    // Ready when an echo comes back: the service's consumer has joined its group by then.
    const deadline = Date.now() + 90_000;
    while (!(await echoes(gatewayUrl))) {
      for (const p of [service, gateway]) if (p.exitCode() !== null) throw new Error(`${p.name} exited (${p.exitCode()}); see ${p.logFile}`);
      if (Date.now() > deadline) throw new Error(`the peer did not echo within 90 s; see ${gateway.logFile} and ${service.logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { gatewayUrl, processes: [gateway, service].map((p) => ({ name: p.name, pid: p.pid })), stop };
}

async function echoes(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/echo/ready`, { signal: AbortSignal.timeout(3000) });
    return res.status === 200 && (await res.text()).includes('"ready"');
  } catch {
    return false;
  }
}

/** `node bench/dist/peer/<name>.js` with its output in <logDir>/<name>.log; killed when we exit. */
function startNode(name: string, logDir: string, env: Record<string, string>) {
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(__dirname, 'peer', `${name}.js`)], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(kill, 10_000);
      await exited;
      clearTimeout(timer);
    }
    process.removeListener('exit', kill);
  };
  return { name, pid: child.pid!, logFile, stop, exitCode: () => child.exitCode ?? (child.signalCode ? -1 : null) };
}

/** Kafka and the database servers the infra started; PostgreSQL with its backends, which do its work. */
function infraProcesses(infra: Infra): WatchedProcess[] {
  return infra.processes().map(({ name, pid }) => ({ name, pid, withChildren: name === 'postgresql' }));
}
