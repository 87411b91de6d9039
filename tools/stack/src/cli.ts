#!/usr/bin/env node
/**
 * Native dev stack.
 *   up       install, start Kafka + database + the four apps on the dev ports, stay up;
 *            `--observability` also starts Zipkin and Prometheus and turns tracing on;
 *            `--kafka-nodes 3` runs a Kafka cluster of three KRaft nodes (replication factor 3);
 *            the database is FerretDB on a PostgreSQL of its own (a mongod on PATH instead, if any);
 *            `--database ferretdb-sqlite` (or STACK_DATABASE) runs FerretDB on SQLite
 *   install  fetch Kafka jars / build FerretDB / install the contract test's schemathesis (idempotent)
 *   reset    delete .stack/data and .stack/logs (keeps .stack/cache)
 * Env for `up`: KAFKA_BROKERS / MONGO_URI use external servers; KAFKA_PORT, MONGO_PORT,
 * POSTGRES_PORT, GATEWAY_PORT, USER_SERVICE_PORT, PRODUCT_SERVICE_PORT, ORDER_SERVICE_PORT move ports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXAMPLE_ACCOUNTS } from '@shop/contracts';
import { APPS, AppName, AppProcess, clusterEnv, devAccounts, DEV_PORTS, startApp } from './apps';
import { Database, DATABASES, parseDatabase } from './database';
import { Infra, lockOwner, startInfra, stopWhatTheLastRunLeft } from './infra';
import { databaseFor, install, seconds } from './install';
import { installSchemathesis } from './test-tools';
import { installZipkin, Observability, OBSERVABILITY_PORTS, prometheusBinary, startObservability } from './observability';
import { dataDirOf, REPO_ROOT, STACK_DIR } from './paths';
import { assertPortFree, isPortFree } from './ports';
import { killAllTracked } from './processes';
import { seedDemoData } from './seed';

/** `STACK_NAME` gives a second stack its own data and log folders (the run-command test uses one). */
const STACK = process.env.STACK_NAME || 'dev';
const KAFKA_PORT = envPort('KAFKA_PORT', 9092);

function envPort(name: string, fallback: number): number {
  const value = process.env[name];
  if (!value) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`${name}=${value} is not a port`);
  return port;
}

/** The variable that moves an app's port: GATEWAY_PORT, USER_SERVICE_PORT, ... */
function portVariable(app: AppName): string {
  return `${app.replace(/-/g, '_').toUpperCase()}_PORT`;
}

function appPort(app: AppName): number {
  return envPort(portVariable(app), DEV_PORTS[app]);
}

/** `--kafka-nodes N`: the Kafka cluster's size (default 1). */
function kafkaNodesArg(argv: string[]): number {
  const at = argv.indexOf('--kafka-nodes');
  if (at === -1) return 1;
  const nodes = Number(argv[at + 1]);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 7) throw new Error(`--kafka-nodes takes a number of nodes from 1 to 7, not "${argv[at + 1] ?? ''}"`);
  return nodes;
}

/** `--database <name>`, else STACK_DATABASE: the database server, when one is asked for (databaseFor picks when not). */
function databaseArg(argv: string[]): Database | undefined {
  const at = argv.indexOf('--database');
  return at === -1 ? parseDatabase(process.env.STACK_DATABASE, 'STACK_DATABASE') : parseDatabase(argv[at + 1] ?? '-', '--database');
}

async function up(observe: boolean, kafkaNodes: number, database: Database | undefined): Promise<void> {
  await install({ database });
  if (observe) {
    await installZipkin();
    prometheusBinary(); // missing: say so before anything starts
  }
  const started = Date.now();
  let infra: Infra | undefined;
  let observability: Observability | undefined;
  const apps: AppProcess[] = [];
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) {
      console.log('[stack] forced stop');
      killAllTracked();
      process.exit(1);
    }
    stopping = true;
    console.log('\n[stack] stopping ...');
    await Promise.all(apps.map((a) => a.stop())); // gateway and services together, SIGTERM
    await observability?.stop();
    await infra?.stop(); // database, then Kafka
    console.log('[stack] stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));

  try {
    // PostgreSQL on 5433, not its usual 5432, where a cluster that Debian's package started may listen already.
    const ports = { kafkaPort: KAFKA_PORT, controllerPort: envPort('KAFKA_CONTROLLER_PORT', KAFKA_PORT + 1), mongoPort: envPort('MONGO_PORT', 27017), postgresqlPort: envPort('POSTGRES_PORT', 5433) };
    const postgresql = databaseFor(database) === 'ferretdb-postgresql' && !process.env.MONGO_URI;
    const observabilityPorts = { zipkin: envPort('ZIPKIN_PORT', OBSERVABILITY_PORTS.zipkin), prometheus: envPort('PROMETHEUS_PORT', OBSERVABILITY_PORTS.prometheus) };
    // What a run killed without stopping left holds our ports: stop it, then make sure
    // every port is free before anything starts.
    await stopWhatTheLastRunLeft(STACK);
    await assertPortsFree([
      ...(process.env.KAFKA_BROKERS ? [] : ([[ports.kafkaPort, 'Kafka (KAFKA_PORT)'], [ports.controllerPort, 'the Kafka controller (KAFKA_CONTROLLER_PORT)']] as const)),
      ...(process.env.MONGO_URI ? [] : ([[ports.mongoPort, 'the database (MONGO_PORT)']] as const)),
      ...(postgresql ? ([[ports.postgresqlPort, 'PostgreSQL (POSTGRES_PORT)']] as const) : []),
      ...APPS.map((app) => [appPort(app), `${app} (${portVariable(app)})`] as const),
      ...(observe ? ([[observabilityPorts.zipkin, 'Zipkin (ZIPKIN_PORT)'], [observabilityPorts.prometheus, 'Prometheus (PROMETHEUS_PORT)']] as const) : []),
    ]);
    infra = await startInfra({ name: STACK, ...ports, kafkaNodes, database });
    const infraSeconds = seconds(started);
    console.log(`[stack] Kafka ${infra.kafkaBrokers} and database ${infra.mongoUri} ready (${infraSeconds} s)`);
    if (observe) {
      // Zipkin's JVM takes a while: the apps start meanwhile, their first spans wait in their exporters.
      observability = await startObservability({
        dataDir: dataDirOf(STACK),
        logDir: infra.logDir,
        appPorts: Object.fromEntries(APPS.map((app) => [app, appPort(app)])),
        ports: observabilityPorts,
        record: infra.record,
      });
    }
    const appEnv = { ...observability?.appEnv, ...clusterEnv(kafkaNodes) };
    const startOne = async (app: AppName) => {
      const proc = await startApp(app, { port: appPort(app), infra: infra!, env: appEnv });
      apps.push(proc);
      console.log(`[stack] ${app} ready on ${proc.url}`);
    };
    const services = APPS.filter((a) => a !== 'gateway');
    const results = await Promise.allSettled(services.map(startOne));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    await startOne('gateway');
    // Each database is seeded once: the examples' product goes into a PostgreSQL started after SQLite too.
    for (const line of await seedDemoData(infra.mongoUri, dataDirOf(STACK), infra.postgresql ? 'seeded-postgresql' : undefined)) console.log(`[stack] ${line}`);
    await observability?.ready();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`[stack] start failed: ${message}`);
    if (message.includes('already in use')) {
      console.error('[stack] stop that process, or move the dev stack with the variable named above (or use running servers with KAFKA_BROKERS / MONGO_URI)');
    } else if (!message.includes('already running')) {
      console.error(`[stack] the log of each process is in ${path.relative(process.cwd(), infra?.logDir ?? path.join(STACK_DIR, 'logs', STACK)) || '.'}; if the stack's data is damaged, \`npm run reset\` deletes it (all of it) and the next start begins afresh`);
    }
    await shutdown(1);
    return;
  }

  const gateway = apps.find((a) => a.app === 'gateway')!;
  const rows: Array<[string, string]> = [
    ['Gateway', gateway.url],
    ['Swagger UI', `${gateway.url}/docs`],
    ['OpenAPI', `${gateway.url}/docs-json`],
    ...APPS.map((app): [string, string] => [`${app} health`, `${apps.find((a) => a.app === app)!.url}/health/ready`]),
    ['Kafka bootstrap', infra.kafkaBrokers],
    ['MongoDB URI', infra.mongoUri],
    ...(infra.postgresql ? ([['PostgreSQL (FerretDB’s)', `psql -h 127.0.0.1 -p ${infra.postgresql.port} -U postgres`]] as Array<[string, string]>) : []),
    ['Logs', path.relative(process.cwd(), infra.logDir) || '.'],
    ...(observability
      ? ([
          ['Zipkin (traces)', `${observability.zipkinUrl}/zipkin/`],
          ['Prometheus', `${observability.prometheusUrl}/alerts`],
        ] as Array<[string, string]>)
      : []),
    ['Admin login', `${EXAMPLE_ACCOUNTS.admin.email} / ${devAccounts().ADMIN_PASSWORD}`],
    ['Customer login', `${EXAMPLE_ACCOUNTS.customer.email} / ${devAccounts().DEMO_PASSWORD}`],
  ];
  console.log('');
  for (const [label, value] of rows) console.log(`  ${label.padEnd(24)} ${value}`);
  console.log(`\n[stack] up in ${seconds(started)} s. Ctrl-C to stop.`);

  for (const a of apps) {
    // Report a crash while up; the rest keeps running.
    void a.exited.then(() => {
      if (!stopping) console.error(`[stack] ${a.name} exited unexpectedly; see ${a.logFile}`);
    });
  }
  setInterval(() => undefined, 1 << 30); // stay up until a signal
}

/** Every port the stack will listen on, checked before anything starts: a taken one is reported with the process that holds it. */
async function assertPortsFree(ports: readonly (readonly [number, string])[]): Promise<void> {
  for (const [port, what] of ports) await assertPortFree(port, what);
}

async function reset(): Promise<void> {
  const dataRoot = path.join(STACK_DIR, 'data');
  const running = fs.existsSync(dataRoot)
    ? fs.readdirSync(dataRoot).filter((name) => lockOwner(path.join(dataRoot, name, 'stack.pid')) !== undefined)
    : [];
  if (running.length > 0 || !(await isPortFree(KAFKA_PORT))) {
    const why = running.length > 0 ? `stack ${running.join(', ')} is running` : `port ${KAFKA_PORT} (dev Kafka) is in use`;
    console.error(`[stack] not resetting: ${why}. Stop it first (Ctrl-C in its terminal), then run reset again.`);
    process.exitCode = 1;
    return;
  }
  for (const dir of ['data', 'logs']) fs.rmSync(path.join(STACK_DIR, dir), { recursive: true, force: true });
  console.log(`[stack] deleted ${path.relative(REPO_ROOT, STACK_DIR)}/data and ${path.relative(REPO_ROOT, STACK_DIR)}/logs (kept cache)`);
}

async function main(): Promise<void> {
  const command = process.argv[2];
  switch (command) {
    case 'up':
      return up(process.argv.includes('--observability'), kafkaNodesArg(process.argv), databaseArg(process.argv));
    case 'install':
      await install();
      await installSchemathesis(); // the contract test's fuzzer
      await installZipkin(); // npm start -- --observability, and the tracing test
      return;
    case 'reset':
      return reset();
    default:
      console.error(`usage: node tools/stack/dist/cli.js up [--observability] [--kafka-nodes N] [--database ${DATABASES.join('|')}] | install | reset`);
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  console.error(`[stack] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
