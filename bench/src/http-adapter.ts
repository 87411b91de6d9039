#!/usr/bin/env node
/**
 * `npm run bench:http`: one lever alone, the HTTP adapter. For each round and adapter,
 * a fresh process of http-adapter-app.js (no Kafka, no database); for each route a
 * warm-up, then a closed-loop run with the app's CPU and memory sampled. Prints Markdown
 * tables and writes bench/results/http-adapter-<date>.json.
 */
import { fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closedLoop, RawRun } from './load';
import { machineInfo } from './machine';
import { adapterOrder, AdapterName, AdapterRun, cpuMsPerRequest, HTTP_USAGE, HttpAdapterOptions, HttpAdapterResults, markdown, parseHttpOptions } from './http-adapter-report';
import { ProcessSampler } from './proc-stats';
import { RequestSpec } from './scenarios';
import { loadFigures } from './stats';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const APP = path.join(__dirname, 'http-adapter-app.js');
const START_TIMEOUT_MS = 30_000;

const ROUTES: { name: string; request: RequestSpec }[] = [
  { name: 'GET /health/live', request: { method: 'GET', path: '/health/live' } },
  { name: 'GET /api/products/:id', request: { method: 'GET', path: '/api/products/65f1c0ffee0000000000beef' } },
];

const log = (msg: string) => console.error(`[bench:http ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return console.log(HTTP_USAGE);
  const opts = parseHttpOptions(args);
  const results: HttpAdapterResults = {
    date: new Date().toISOString(),
    command: ['npm run bench:http', ...(args.length ? ['--', ...args] : [])].join(' '),
    settings: opts,
    machine: machineInfo(),
    versions: {
      node: process.version,
      ...Object.fromEntries(['@nestjs/core', '@nestjs/platform-express', 'express', '@nestjs/platform-fastify', 'fastify', 'autocannon'].map((name) => [name, packageVersion(name)])),
    },
    runs: [],
  };
  for (let n = 1; n <= opts.rounds; n++) {
    for (const adapter of adapterOrder(n)) results.runs.push(...(await benchAdapter(adapter, n, opts)));
  }

  const file = path.join(RESULTS_DIR, `http-adapter-${results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${markdown(results)}\n`);
  log(`results in ${path.relative(REPO_ROOT, file)}`);
}

async function benchAdapter(adapter: AdapterName, roundNumber: number, opts: HttpAdapterOptions): Promise<AdapterRun[]> {
  log(`${adapter}, round ${roundNumber} of ${opts.rounds}: starting a fresh app`);
  const app = await startApp(adapter);
  try {
    await checkApp(app.url);
    const runs: AdapterRun[] = [];
    for (const route of ROUTES) {
      const next = () => route.request;
      await closedLoop(app.url, next, opts.connections, opts.warmupS);
      await sleep(1000); // the warm-up's last answers and the garbage they left
      const sampler = new ProcessSampler([
        { name: 'server', pid: app.pid },
        { name: 'load-generator', pid: process.pid },
      ]);
      sampler.start();
      const raw = await closedLoop(app.url, next, opts.connections, opts.durationS);
      const run = toRun(adapter, roundNumber, route.name, raw, sampler.stop());
      log(`${adapter} ${route.name}: ${run.rps} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ${run.cpuMsPerRequest} CPU ms/req, non-2xx ${JSON.stringify(run.non2xx)}`);
      runs.push(run);
    }
    return runs;
  } finally {
    await app.stop();
  }
}

function toRun(adapter: AdapterName, roundNumber: number, route: string, raw: RawRun, usage: ReturnType<ProcessSampler['stop']>): AdapterRun {
  const [server, loadGenerator] = usage.processes;
  return {
    round: roundNumber,
    adapter,
    route,
    ...loadFigures(raw),
    serverCpuS: server.cpuS,
    cpuMsPerRequest: cpuMsPerRequest(server.cpuS, raw.latenciesMs.length),
    serverPeakRssMb: server.peakRssMb,
    loadGeneratorCores: loadGenerator.cores,
    machineBusyCores: usage.machineBusyCores,
  };
}

interface RunningApp {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** Forks the app and waits for the port it reports over IPC. */
function startApp(adapter: AdapterName): Promise<RunningApp> {
  const child = fork(APP, [adapter], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise<RunningApp>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`the ${adapter} app did not report its port within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      void stop().then(() => reject(err));
    };
    child.once('exit', (code, signal) => fail(new Error(`the ${adapter} app exited before listening (${signal ?? `code ${code}`})`)));
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${message.port}`, pid: child.pid!, stop });
    });
  });
}

/** Both adapters must answer alike before their speed is compared. */
async function checkApp(url: string): Promise<void> {
  for (const { name, request } of ROUTES) {
    const res = await fetch(url + request.path);
    const body = await res.text();
    if (res.status !== 200 || !res.headers.get('x-request-id')) throw new Error(`${name} answered ${res.status} without the expected X-Request-Id header: ${body}`);
  }
  const bad = await fetch(`${url}/api/products/not-an-id`);
  if (bad.status !== 400) throw new Error(`GET /api/products/not-an-id answered ${bad.status}, not 400: the pipe did not run`);
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
