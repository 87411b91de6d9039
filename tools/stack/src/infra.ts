import * as fs from 'node:fs';
import * as path from 'node:path';
import { mongoUriFor, startDatabase } from './database';
import { install } from './install';
import { startKafka } from './kafka';
import { dataDirOf, logDirOf } from './paths';
import { assertPortFree, freePort } from './ports';
import { forgetProcesses, recordProcess, stopLeftovers } from './leftovers';
import { ManagedProcess } from './processes';

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
}

/**
 * Starts Kafka (KRaft, single node) and the database for one named stack, unless
 * KAFKA_BROKERS / MONGO_URI point at servers that already run.
 */
export async function startInfra(opts: InfraOptions = {}): Promise<Infra> {
  const name = opts.name ?? 'test';
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
    // Reverse start order: database first, Kafka last.
    for (const proc of [...started].reverse()) await proc.stop(proc.name === 'kafka' ? 20_000 : 10_000);
    started.length = 0;
    forgetProcesses(dataDir); // all stopped: nothing for a later start to find
    releaseLock();
    process.removeListener('exit', releaseLock);
  };

  try {
    const installed = externalKafka !== undefined && externalMongo ? undefined : await install({ quiet: true, kafka: !opts.databaseOnly });

    let kafkaBrokers = externalKafka;
    if (kafkaBrokers === undefined) {
      const port = opts.kafkaPort ?? (await freePort());
      const controllerPort = opts.controllerPort ?? (await freePort());
      await assertPortFree(port, 'Kafka');
      await assertPortFree(controllerPort, 'the Kafka controller');
      started.push(
        await startKafka({
          libs: installed!.kafkaLibs,
          configDir: path.join(dataDir, 'config'),
          logDir: path.join(dataDir, 'kafka'),
          logFile: path.join(logDir, 'kafka.log'),
          port,
          controllerPort,
          onStart: (pid) => recordProcess(dataDir, 'kafka', pid),
        }),
      );
      kafkaBrokers = `127.0.0.1:${port}`;
    }

    let mongoUri = externalMongo;
    if (!mongoUri) {
      const port = opts.mongoPort ?? (await freePort());
      await assertPortFree(port, 'the database');
      const server = installed!.database;
      started.push(
        await startDatabase({
          server,
          dir: path.join(dataDir, server.kind === 'mongod' ? 'mongo' : 'ferretdb'),
          port,
          logFile: path.join(logDir, `${server.kind}.log`),
          onStart: (pid) => recordProcess(dataDir, server.kind, pid),
        }),
      );
      mongoUri = mongoUriFor(port);
    }

    return { name, kafkaBrokers, mongoUri, logDir, stop, record: (procName, pid) => recordProcess(dataDir, procName, pid) };
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
