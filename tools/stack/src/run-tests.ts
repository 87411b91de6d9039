#!/usr/bin/env node
/**
 * Test runner.
 *   unit    every compiled *.spec.js of every package, with `node --test`
 *   medium  start the database alone (stack "medium", fresh, a free port), then every
 *           compiled *.medium.js of every package, one file at a time, with MONGO_URI
 *   e2e     install, start Kafka + database once (stack "test", fresh, free ports), then
 *           every test/dist/**\/*.e2e.js one file at a time with KAFKA_BROKERS and MONGO_URI
 * Extra arguments: those starting with "--" go to `node --test` (e.g. --test-name-pattern=x),
 * the others keep only the files whose path contains one of them.
 * STACK_DATABASE=ferretdb-sqlite: the medium and e2e database is FerretDB on SQLite (default: on PostgreSQL, or a mongod on PATH).
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseDatabase } from './database';
import { Infra, InfraOptions, startInfra } from './infra';
import { install, seconds } from './install';
import { REPO_ROOT } from './paths';
import { killAllTracked } from './processes';

const PACKAGES = ['gateway', 'user-service', 'product-service', 'order-service', 'tools/stack', 'test', 'bench'];

/** Every file under dir whose name ends with suffix (node_modules skipped). */
function findFiles(dir: string, suffix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') found.push(...findFiles(full, suffix));
    else if (entry.isFile() && entry.name.endsWith(suffix)) found.push(full);
  }
  return found.sort();
}

/** A compiled file whose source was deleted still sits in dist/ (tsc never removes it). */
function hasSource(pkg: string, compiled: string): boolean {
  const rel = path.relative(path.join(pkg, 'dist'), compiled).replace(/\.js$/, '.ts');
  return fs.existsSync(path.join(pkg, 'src', rel)) || fs.existsSync(path.join(pkg, rel));
}

function packageDirs(): string[] {
  const libs = path.join(REPO_ROOT, 'libs');
  const libDirs = fs.existsSync(libs) ? fs.readdirSync(libs).map((name) => path.join('libs', name)) : [];
  return [...libDirs, ...PACKAGES].map((dir) => path.join(REPO_ROOT, dir));
}

function collect(pkgs: string[], suffix: string, filters: string[]): string[] {
  const files: string[] = [];
  for (const pkg of pkgs) {
    for (const file of findFiles(path.join(pkg, 'dist'), suffix)) {
      if (!hasSource(pkg, file)) console.log(`[tests] skipping ${path.relative(REPO_ROOT, file)}: its source is gone`);
      else if (filters.length === 0 || filters.some((f) => path.relative(REPO_ROOT, file).includes(f))) files.push(file);
    }
  }
  return files;
}

function runNodeTest(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<number> } {
  const child = spawn(process.execPath, ['--test', ...args], { cwd: REPO_ROOT, env, stdio: 'inherit' });
  const done = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', () => resolve(1));
  });
  return { child, done };
}

async function unit(flags: string[], filters: string[]): Promise<number> {
  const files = collect(packageDirs(), '.spec.js', filters);
  if (files.length === 0) {
    console.error('[tests] no compiled *.spec.js found; run "npm run build" first');
    return 1;
  }
  return runNodeTest([...flags, ...files], process.env).done;
}

async function e2e(flags: string[], filters: string[]): Promise<number> {
  const files = collect([path.join(REPO_ROOT, 'test')], '.e2e.js', filters);
  if (files.length === 0) {
    console.error('[tests] no compiled test/dist/**/*.e2e.js found; run "npm run build" first');
    return 1;
  }
  // KAFKA_NODES=3: every file on a three-node cluster, the apps' topics replicated 3 times.
  const kafkaNodes = Number(process.env.KAFKA_NODES || 1);
  if (!Number.isInteger(kafkaNodes) || kafkaNodes < 1 || kafkaNodes > 7) throw new Error(`KAFKA_NODES=${process.env.KAFKA_NODES} is not a number of nodes from 1 to 7`);
  return withInfra('test', { kafkaNodes }, (infra) => runNodeTest(['--test-concurrency=1', ...flags, ...files], {
    ...process.env,
    // Read by the tests' startSystem (test/src/support/system.ts) for the apps it starts on this infra only.
    KAFKA_NODES: String(kafkaNodes),
    KAFKA_BROKERS: infra.kafkaBrokers,
    MONGO_URI: infra.mongoUri,
    STACK_LOG_DIR: infra.logDir,
  }));
}

/** Medium tests: a service's logic against the real database, without Kafka (*.medium.ts beside the code). */
async function medium(flags: string[], filters: string[]): Promise<number> {
  const files = collect(packageDirs(), '.medium.js', filters);
  if (files.length === 0) {
    console.error('[tests] no compiled *.medium.js found; run "npm run build" first');
    return 1;
  }
  return withInfra('medium', { databaseOnly: true }, (infra) => runNodeTest(['--test-concurrency=1', ...flags, ...files], { ...process.env, MONGO_URI: infra.mongoUri }));
}

/** Starts the named stack's servers (fresh), runs `tests` against them, and stops them whatever happens; Ctrl-C ends the tests first. */
async function withInfra(name: string, options: InfraOptions, tests: (infra: Infra) => { child: ChildProcess; done: Promise<number> }): Promise<number> {
  let infra: Infra | undefined;
  let child: ChildProcess | undefined;
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      killAllTracked(); // second signal: no more waiting
      process.exit(signalExitCode(sig));
    }
    interrupted = sig;
    child?.kill(sig); // the tests end, then `finally` stops the infra
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);

  try {
    const database = parseDatabase(process.env.STACK_DATABASE, 'STACK_DATABASE');
    if (!process.env.MONGO_URI || (!options.databaseOnly && !process.env.KAFKA_BROKERS)) await install({ quiet: true, kafka: !options.databaseOnly, database });
    const started = Date.now();
    infra = await startInfra({ name, fresh: true, database, ...options });
    console.log(`[tests] infra ready in ${seconds(started)} s: Kafka ${infra.kafkaBrokers || 'not started'}, database ${infra.mongoUri}, logs ${path.relative(REPO_ROOT, infra.logDir)}`);
    if (interrupted) return signalExitCode(interrupted);

    const run = tests(infra);
    child = run.child;
    const code = await run.done;
    return interrupted ? signalExitCode(interrupted) : code;
  } finally {
    await infra?.stop();
  }
}

function signalExitCode(sig: NodeJS.Signals): number {
  return 128 + (os.constants.signals[sig] ?? 1);
}

async function main(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  const flags = rest.filter((a) => a.startsWith('--'));
  const filters = rest.filter((a) => !a.startsWith('--'));
  if (mode === 'unit') process.exit(await unit(flags, filters));
  if (mode === 'medium') process.exit(await medium(flags, filters));
  if (mode === 'e2e') process.exit(await e2e(flags, filters));
  console.error('usage: node tools/stack/dist/run-tests.js unit|medium|e2e [--node-test-flag ...] [path-filter ...]');
  process.exit(2);
}

main().catch((err: unknown) => {
  console.error(`[tests] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
