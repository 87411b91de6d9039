import * as fs from 'node:fs';
import * as path from 'node:path';
import { logDirOf, REPO_ROOT } from './paths';
import { assertPortFree, freePort } from './ports';
import { answers200, ManagedProcess, waitForProcess } from './processes';
import { EXAMPLE_ACCOUNTS } from '@shop/contracts';

export const APPS = ['user-service', 'product-service', 'order-service', 'gateway'] as const;

/**
 * V8's old space capped at 160 MB, as the Docker image and the Kubernetes manifests run the
 * apps. Left alone, V8 grows the heap into what the machine offers: the gateway's RSS was
 * 258-297 MB under product reads, most of it garbage not yet collected; capped, 156-166 MB,
 * for 10-15 % more of the gateway's CPU per read, and no difference on orders
 * (docs/BENCHMARKS.md, "V8's old space capped by default"). A cap in the caller's
 * NODE_OPTIONS wins.
 */
export const HEAP_CAP = '--max-old-space-size=160';

/** NODE_OPTIONS for an app: the caller's, with HEAP_CAP unless they set a cap of their own. */
export function withHeapCap(nodeOptions: string | undefined): string {
  if (/--max[-_]old[-_]space[-_]size/.test(nodeOptions ?? '')) return nodeOptions!;
  return [nodeOptions, HEAP_CAP].filter(Boolean).join(' ');
}
export type AppName = (typeof APPS)[number];

/** Ports of the dev stack (`npm start`). */
export const DEV_PORTS: Record<AppName, number> = {
  gateway: 3000,
  'user-service': 3001,
  'product-service': 3002,
  'order-service': 3003,
};

export interface StartAppOptions {
  /** Default: a free port. */
  port?: number;
  /** Extra environment, on top of ours (PORT, KAFKA_BROKERS, MONGO_URI, HOST). */
  env?: Record<string, string>;
  infra: { kafkaBrokers: string; mongoUri: string; logDir?: string; record?: (name: string, pid: number) => void };
  /** Process and log file name, e.g. "order-service-2" for a second replica. Default: the app name. */
  name?: string;
  /** Default: infra.logDir, else $STACK_LOG_DIR, else .stack/logs/test. */
  logDir?: string;
  /** Default 60 s. */
  readyTimeoutMs?: number;
  /** What "started" means: /health/ready answers 200 (default), or only /health/live (to test an app that cannot be ready). */
  waitFor?: 'ready' | 'live';
  /** The checkout whose build runs (default: this one); the benchmark's baseline runs an older commit's. */
  root?: string;
}

export interface AppProcess {
  name: string;
  app: AppName;
  port: number;
  url: string;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited, whatever the reason. */
  exited: Promise<void>;
  /** How it ended (`killed by SIGTERM`, `exited with code 1`, ...); undefined while it runs. */
  exitReason(): string | undefined;
  /** SIGTERM, SIGKILL after 10 s; resolves when exited. */
  stop(): Promise<void>;
  /** SIGKILL; resolves when exited. */
  kill(): Promise<void>;
  /** Polls GET /health/ready every 200 ms until 200 (default 60 s). */
  waitReady(timeoutMs?: number): Promise<void>;
  /** This run's output so far. */
  readLog(): string;
}

/** Starts `node <repo>/<app>/dist/main.js` and resolves once GET /health/ready answers 200. */
export async function startApp(app: AppName, opts: StartAppOptions): Promise<AppProcess> {
  if (!APPS.includes(app)) throw new Error(`unknown app "${app}" (one of ${APPS.join(', ')})`);
  const main = path.join(opts.root ?? REPO_ROOT, app, 'dist', 'main.js');
  if (!fs.existsSync(main)) throw new Error(`${main} does not exist; run "npm run build" first`);
  const port = opts.port ?? (await freePort());
  return startNodeService({
    script: main,
    app,
    name: opts.name ?? app,
    port,
    logDir: opts.logDir ?? opts.infra.logDir ?? process.env.STACK_LOG_DIR ?? logDirOf('test'),
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      KAFKA_BROKERS: opts.infra.kafkaBrokers,
      MONGO_URI: opts.infra.mongoUri,
      ...(app === 'user-service' && devAccounts()),
      ...opts.env,
      NODE_OPTIONS: withHeapCap(opts.env?.NODE_OPTIONS ?? process.env.NODE_OPTIONS),
    },
    readyTimeoutMs: opts.readyTimeoutMs,
    waitFor: opts.waitFor,
    onStart: (pid) => opts.infra.record?.(opts.name ?? app, pid),
  });
}

/** The part of startApp that does not care which script it runs (unit-tested with a stub). */
export async function startNodeService(o: {
  script: string;
  app: AppName;
  name: string;
  port: number;
  logDir: string;
  env: Record<string, string>;
  readyTimeoutMs?: number;
  waitFor?: 'ready' | 'live';
  /** Told the pid as soon as the process runs. */
  onStart?: (pid: number) => void;
}): Promise<AppProcess> {
  // A health check answered by someone else's process would look like success.
  await assertPortFree(o.port, o.name);
  const logFile = path.join(o.logDir, `${o.name}.log`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  delete env.NODE_TEST_CONTEXT; // set by `node --test` for its test files, not meant for apps
  const proc = new ManagedProcess(o.name, process.execPath, [o.script], logFile, { cwd: REPO_ROOT, env });
  o.onStart?.(proc.pid);
  const url = `http://127.0.0.1:${o.port}`;
  const waitReady = (timeoutMs = 60_000) => waitForProcess(o.name, proc, () => answers200(`${url}/health/ready`), timeoutMs);

  try {
    if (o.waitFor === 'live') await waitForProcess(o.name, proc, () => answers200(`${url}/health/live`), o.readyTimeoutMs ?? 60_000);
    else await waitReady(o.readyTimeoutMs);
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return {
    name: o.name,
    app: o.app,
    port: o.port,
    url,
    pid: proc.pid,
    logFile,
    exited: proc.exited,
    exitReason: () => proc.exitReason,
    stop: () => proc.stop(10_000),
    kill: () => proc.kill(),
    waitReady,
    readLog: () => proc.readLog(),
  };
}


/**
 * The passwords of the accounts user-service creates on a native stack: ADMIN_PASSWORD
 * and DEMO_PASSWORD when set, else the public dev defaults (`npm start` prints them).
 */
export function devAccounts(): { ADMIN_PASSWORD: string; DEMO_PASSWORD: string } {
  return {
    ADMIN_PASSWORD: process.env.ADMIN_PASSWORD || EXAMPLE_ACCOUNTS.admin.password,
    DEMO_PASSWORD: process.env.DEMO_PASSWORD || EXAMPLE_ACCOUNTS.customer.password,
  };
}

/** What the apps need to know of a Kafka cluster of `nodes`: every topic on 3 of them (or all, when fewer). */
export function clusterEnv(nodes: number): Record<string, string> {
  return nodes > 1 ? { KAFKA_REPLICATION_FACTOR: String(Math.min(3, nodes)) } : {};
}
