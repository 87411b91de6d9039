import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, mongoUriFor, startDatabase } from './database';
import { databaseFor, install } from './install';
import { kafkaAnswers, newClusterId, startKafka } from './kafka';
import { dataDirOf, logDirOf } from './paths';
import { assertPortFree, freePort } from './ports';
import { forgetProcesses, recordProcess, stopLeftovers } from './leftovers';
import { postgresqlUrl, startPostgresql } from './postgresql';
import { ManagedProcess, waitUntil } from './processes';

export interface InfraOptions {
  /** Stack name: state goes to .stack/data/<name> and .stack/logs/<name>. Default "test". */
  name?: string;
  /** Kafka client port. Default: a free port. */
  kafkaPort?: number;
  /** Kafka KRaft controller port. Default: a free port. */
  controllerPort?: number;
  /** Database port. Default: a free port. */
  mongoPort?: number;
  /** Wipe this stack's data and logs first. */
  fresh?: boolean;
  /** Use KAFKA_BROKERS / MONGO_URI from the environment instead of starting servers (default true). */
  useEnv?: boolean;
  /** Start the database alone (the medium tests need no Kafka); kafkaBrokers is then empty. */
  databaseOnly?: boolean;
  /** KRaft nodes (each broker and controller) of the Kafka cluster; default 1. */
  kafkaNodes?: number;
  /** The database server; default a mongod on PATH, else FerretDB on PostgreSQL (install.ts, databaseFor). */
  database?: Database;
  /** Port of the PostgreSQL under FerretDB (database ferretdb-postgresql). Default: a free port. */
  postgresqlPort?: number;
}

/** One node of a started Kafka cluster, for tests that take a broker away and bring it back. */
export interface KafkaNode {
  id: number;
  /** host:port of its client listener. */
  broker: string;
  pid(): number | undefined;
  /** SIGKILL: the broker dies as a crash would, without handing over its leaderships. */
  kill(): Promise<void>;
  /** Starts it again on its data (after kill). */
  start(): Promise<void>;
}

export interface Infra {
  name: string;
  kafkaBrokers: string;
  mongoUri: string;
  /** Where this stack's process logs go (apps started with this infra log here too). */
  logDir: string;
  /** Adds a process started for this stack (an app) to its record, so a later start can stop it if we die first. */
  record(name: string, pid: number): void;
  /** Stops the database, then Kafka (only what this call started). */
  stop(): Promise<void>;
  /** The Kafka nodes this call started (empty with KAFKA_BROKERS). */
  kafkaNodes: KafkaNode[];
  /** The PostgreSQL cluster under FerretDB, when this call started one: for psql (`psql -h 127.0.0.1 -p <port> -U postgres`). */
  postgresql?: { port: number; dir: string };
  /** The servers this call started that still run (kafka, kafka-2, ..., postgresql, ferretdb or mongod), for the benchmark's CPU figures. */
  processes(): Array<{ name: string; pid: number }>;
}

/**
 * Starts Kafka (KRaft, single node) and the database for one named stack, unless
 * KAFKA_BROKERS / MONGO_URI point at servers that already run.
 */
export async function startInfra(opts: InfraOptions = {}): Promise<Infra> {
  const name = opts.name ?? 'test';
  const database = databaseFor(opts.database);
  const dataDir = dataDirOf(name);
  const logDir = logDirOf(name);
  const useEnv = opts.useEnv ?? true;
  const externalKafka = opts.databaseOnly ? '' : useEnv ? process.env.KAFKA_BROKERS : undefined;
  const externalMongo = useEnv ? process.env.MONGO_URI : undefined;

  const lock = path.join(dataDir, 'stack.pid');
  await stopWhatTheLastRunLeft(name);
  if (opts.fresh) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(logDir, { recursive: true, force: true });
  }
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(lock, `${process.pid}\n`);
  const releaseLock = () => fs.rmSync(lock, { force: true });
  process.once('exit', releaseLock); // also when we die without calling stop()

  const started: ManagedProcess[] = [];
  const stop = async () => {
    // Reverse start order: database first (FerretDB, then its PostgreSQL), Kafka last.
    for (const proc of [...started].reverse().filter((p) => !p.name.startsWith('kafka'))) await proc.stop(10_000);
    // A cluster's nodes together: the last one alone would wait for a quorum that is gone.
    await Promise.all(started.filter((p) => p.name.startsWith('kafka')).map((p) => p.stop(20_000)));
    started.length = 0;
    forgetProcesses(dataDir); // all stopped: nothing for a later start to find
    releaseLock();
    process.removeListener('exit', releaseLock);
  };

  try {
    const installed = externalKafka !== undefined && externalMongo ? undefined : await install({ quiet: true, kafka: !opts.databaseOnly, database: opts.database });

    let kafkaBrokers = externalKafka;
    const kafkaNodes: KafkaNode[] = [];
    if (kafkaBrokers === undefined) {
      const count = opts.kafkaNodes ?? 1;
      // The nodes' data belong to one cluster of one size: another size needs fresh data.
      const sizeFile = path.join(dataDir, 'kafka-nodes');
      const formerSize = fs.existsSync(sizeFile) ? Number(fs.readFileSync(sizeFile, 'utf8')) : fs.existsSync(path.join(dataDir, 'kafka')) ? 1 : undefined;
      if (formerSize !== undefined && formerSize !== count) {
        throw new Error(`stack "${name}" holds the data of a ${formerSize}-node Kafka cluster, not ${count}: \`npm run reset\` deletes it, or use another STACK_NAME`);
      }
      fs.writeFileSync(sizeFile, `${count}\n`);
      // Node 1 keeps the single node's ports, folders and names; a cluster's others get their own.
      const nodes = [];
      for (let id = 1; id <= count; id++) {
        // Given ports: node N listens 2(N-1) above them (9092, 9094, 9096; controllers 9093, 9095, 9097).
        const port = opts.kafkaPort ? opts.kafkaPort + 2 * (id - 1) : await freePort();
        const controllerPort = opts.controllerPort ? opts.controllerPort + 2 * (id - 1) : await freePort();
        await assertPortFree(port, `Kafka${count > 1 ? ` node ${id}` : ''}`);
        await assertPortFree(controllerPort, `the Kafka controller${count > 1 ? ` of node ${id}` : ''}`);
        const suffix = id === 1 ? '' : `-${id}`;
        nodes.push({ id, port, controllerPort, name: `kafka${suffix}`, configDir: path.join(dataDir, `config${suffix}`), logDir: path.join(dataDir, `kafka${suffix}`) });
      }
      const quorum = Object.fromEntries(nodes.map((n) => [n.id, n.controllerPort]));
      const clusterId = newClusterId();
      const starts = nodes.map((node) => {
        let proc: ManagedProcess | undefined;
        const start = async (waitForClients: boolean) => {
          proc = await startKafka({
            libs: installed!.kafkaLibs,
            configDir: node.configDir,
            logDir: node.logDir,
            logFile: path.join(logDir, `${node.name}.log`),
            port: node.port,
            controllerPort: node.controllerPort,
            nodeId: node.id,
            quorum,
            clusterId,
            name: node.name,
            waitForClients,
            onStart: (pid) => recordProcess(dataDir, node.name, pid),
          });
          started.push(proc);
        };
        kafkaNodes.push({
          id: node.id,
          broker: `127.0.0.1:${node.port}`,
          pid: () => proc?.pid,
          kill: async () => {
            if (!proc) return;
            await proc.kill();
            started.splice(started.indexOf(proc), 1);
            proc = undefined;
          },
          start: () => start(true),
        });
        return start;
      });
      // A cluster's nodes wait for each other's votes: they start together, and clients
      // are asked once the quorum is up.
      await Promise.all(starts.map((start) => start(count === 1)));
      kafkaBrokers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
      if (count > 1) await waitUntil(() => kafkaAnswers(kafkaBrokers!), 'the Kafka cluster to answer clients', 60_000, 500);
    }

    let mongoUri = externalMongo;
    let postgresql: Infra['postgresql'];
    if (!mongoUri) {
      const port = opts.mongoPort ?? (await freePort());
      await assertPortFree(port, 'the database');
      if (database === 'ferretdb-postgresql') {
        postgresql = { port: opts.postgresqlPort ?? (await freePort()), dir: path.join(dataDir, 'postgresql') };
        await assertPortFree(postgresql.port, 'PostgreSQL');
        started.push(
          await startPostgresql({
            ...postgresql,
            logFile: path.join(logDir, 'postgresql.log'),
            onStart: (pid) => recordProcess(dataDir, 'postgresql', pid),
          }),
        );
      }
      const server = installed!.database;
      started.push(
        await startDatabase({
          server,
          storage: postgresql ? { postgresqlUrl: postgresqlUrl(postgresql.dir, postgresql.port) } : { dir: path.join(dataDir, server.kind === 'mongod' ? 'mongo' : 'ferretdb') },
          port,
          logFile: path.join(logDir, `${server.kind}.log`),
          onStart: (pid) => recordProcess(dataDir, server.kind, pid),
        }),
      );
      mongoUri = mongoUriFor(port);
    }

    const processes = () => started.filter((p) => p.running).map((p) => ({ name: p.name, pid: p.pid }));
    return { name, kafkaBrokers, mongoUri, logDir, stop, record: (procName, pid) => recordProcess(dataDir, procName, pid), kafkaNodes, postgresql, processes };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Before a stack starts: refuses when it runs already (two live stacks with one name would
 * share, and corrupt, one data folder), and stops what a run that died without stopping
 * (SIGKILL) left behind, so nothing collides on its ports. Returns what it stopped.
 */
export async function stopWhatTheLastRunLeft(name: string): Promise<string[]> {
  const dataDir = dataDirOf(name);
  const pid = lockOwner(path.join(dataDir, 'stack.pid'));
  if (pid !== undefined && pid !== process.pid) {
    throw new Error(`stack "${name}" is already running (pid ${pid}); stop it first (Ctrl-C in its terminal, or kill ${pid}) or use another STACK_NAME`);
  }
  const stopped = await stopLeftovers(dataDir);
  if (stopped.length > 0) console.log(`[stack] stopped what the last run of stack "${name}" left running: ${stopped.join(', ')}`);
  return stopped;
}

/** The live process holding a stack's lock file, if any. */
export function lockOwner(lock: string): number | undefined {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lock, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0); // signal 0: only checks that the process exists
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}
