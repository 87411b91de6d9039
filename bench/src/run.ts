#!/usr/bin/env node
/**
 * `npm run bench`: one fresh Kafka + database for the run (and a FerretDB on SQLite when
 * an ours-sqlite mode is asked for; with --documents, each database filled first); then, taking
 * turns round after round, each mode's processes (our four apps, or the stock NestJS demo)
 * started on it: a measurement with no load, then for each scenario a warm-up, a closed-loop
 * run, a single-connection run and (ours) open-loop runs, each with the CPU and memory of
 * every process. Writes bench/results/<date>.json, prints the tables (ours against the demo
 * first) and regenerates the results section of docs/BENCHMARKS.md.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Database, Infra, startInfra } from '@shop/stack';
import { Documents, insertDocuments, makeDocuments } from './documents';
import { closedLoop, openLoop, RawRun, settle } from './load';
import { machineInfo, versions } from './machine';
import { BenchOptions, parseOptions, resolveRate, rotate, USAGE } from './options';
import { ProcessSampler, WatchedProcess } from './proc-stats';
import { consoleTable, loadLabel, markdown, replaceSection } from './report';
import { BenchResults, formatResults, LoadKind, ModeResult, RunResult } from './results';
import { Fixtures, PEER_ECHO, RequestSpec, Scenario, SCENARIOS, seed } from './scenarios';
import { loadFigures } from './stats';
import { createPeerTopics, Mode, MODES, startSystem, System } from './system';

/** The idle stack is measured over this many seconds. */
const IDLE_S = 30;

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench', 'results');
const DOCS = path.join(REPO_ROOT, 'docs', 'BENCHMARKS.md');

const log = (msg: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help')) return console.log(USAGE);
  const opts = parseOptions(args, process.env);
  if (opts.docsFrom) return writeDocs(JSON.parse(fs.readFileSync(opts.docsFrom, 'utf8')) as BenchResults);

  const results: BenchResults = {
    date: new Date().toISOString(),
    command: ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' '),
    settings: { durationS: opts.durationS, warmupS: opts.warmupS, connections: opts.connections, rates: opts.rates, rounds: opts.rounds, documents: opts.documents },
    machine: machineInfo(),
    versions: await versions(),
    modes: [],
  };
  // One broker for every mode, so ours and the peer are measured against the same Kafka.
  log('fresh Kafka and database for the run');
  const infra = await startInfra({ name: 'bench', fresh: true, useEnv: false });
  const others = new Map<Database, Infra>();
  try {
    // A database of its own for the modes that name another (a stack of its own: its data, logs and ports).
    for (const database of new Set(opts.modes.map((name) => MODES[name].database).filter((d): d is Database => d !== undefined))) {
      log(`a fresh ${database} for the modes on it`);
      others.set(database, await startInfra({ name: `bench-${database}`, fresh: true, useEnv: false, databaseOnly: true, database }));
    }
    const postgresql = [infra, ...others.values()].find((i) => i.postgresql)?.postgresql;
    if (postgresql) results.versions.postgresql = fs.readFileSync(path.join(postgresql.dir, 'PG_VERSION'), 'utf8').trim();
    // The apps of a mode on its database, and the servers whose CPU counts with theirs: Kafka and that database.
    const infraOf = (mode: Mode): Infra => {
      const other = mode.database && others.get(mode.database);
      if (!other) return infra;
      const kafka = () => infra.processes().filter((p) => p.name.startsWith('kafka'));
      return { ...infra, mongoUri: other.mongoUri, processes: () => [...kafka(), ...other.processes()] };
    };
    const filled = opts.documents ? await fill(opts.documents, [infra, ...others.values()]) : undefined;
    if (opts.modes.some((name) => MODES[name].peer)) await createPeerTopics(infra.kafkaBrokers);
    // Modes take turns so a busy spell on a shared machine hits them alike, and the order
    // rotates each round (ours, peer; then peer, ours): where a mode runs in its round moved
    // its figure by up to 15 % here, so with as many rounds as modes each runs in every place.
    for (let round = 1; round <= opts.rounds; round++) {
      for (const name of rotate(opts.modes, round - 1)) {
        const mode = name === 'baseline' ? { ...MODES.baseline, root: path.resolve(opts.baseline!) } : MODES[name];
        results.modes.push(await benchMode(mode, infraOf(mode), opts, round, filled));
      }
    }
  } finally {
    for (const other of others.values()) await other.stop();
    await infra.stop();
  }

  const stamp = results.date.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z');
  const file = path.join(RESULTS_DIR, `${stamp}${opts.quick ? '.tmp' : ''}.json`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(file, formatResults(results));
  console.log(`\n${consoleTable(results)}\n`);
  log(`results in ${path.relative(REPO_ROOT, file)}`);
  if (!opts.quick) writeDocs(results);
}

/** The same users, products and orders into every database of the run; answers their ids. */
async function fill(count: number, databases: Infra[]): Promise<Documents> {
  const docs = makeDocuments(count);
  for (const database of databases) {
    const started = Date.now();
    await insertDocuments(database.mongoUri, docs);
    log(`${database.name}: wrote ${count} users, ${count} products with their stock and ${count} orders in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return docs;
}

/** One mode's processes on its infra: seed (ours), measure the idle cost, then every scenario. */
async function benchMode(mode: Mode, infra: Infra, opts: BenchOptions, round: number, filled?: Documents): Promise<ModeResult> {
  const env = Object.entries(mode.env).map(([k, v]) => `${k}=${v}`).join(' ');
  log(`${mode.name}${opts.rounds > 1 ? ` (round ${round} of ${opts.rounds})` : ''}: starting ${mode.peer ? 'the stock NestJS demo' : `the four apps (${env})`}`);
  const system = await startSystem(mode, infra);
  const result: ModeResult = { mode: mode.name, round, what: mode.what, env: mode.env, skipped: {}, runs: [] };
  try {
    let fixtures: Fixtures = { userIds: [], productIds: [], broken: {}, headers: {} };
    if (!mode.peer) {
      fixtures = await seed(system.gatewayUrl);
      const broken = Object.keys(fixtures.broken).length ? `; not working: ${JSON.stringify(fixtures.broken)}` : '';
      log(`${mode.name}: seeded ${fixtures.userIds.length} users, ${fixtures.productIds.length} products${broken}`);
      // Reads and orders go to the filled documents too, so a read is not always of a few hot ones (or cached).
      if (filled) fixtures = { ...fixtures, userIds: [...fixtures.userIds, ...filled.userIds], productIds: [...fixtures.productIds, ...filled.productIds] };
    }
    // The peer has one scenario, whatever --scenarios says: ours' rows are divided by it.
    const scenarios = mode.peer ? [PEER_ECHO] : opts.scenarios.map((name) => SCENARIOS[name]);
    const bench = new ModeBench(mode, opts, system, fixtures, result);
    await bench.warmUp(scenarios);
    await bench.idle();
    for (const scenario of scenarios) await bench.scenario(scenario);
  } finally {
    log(`${mode.name}: stopping`);
    await system.stop();
  }
  return result;
}

class ModeBench {
  private readonly watched: WatchedProcess[];
  /** The requests of the run before, whose backlog (an overloaded order-service, say) must drain first. */
  private previous?: () => RequestSpec;

  constructor(
    private readonly mode: Mode,
    private readonly opts: BenchOptions,
    private readonly system: System,
    private readonly fixtures: Fixtures,
    private readonly result: ModeResult,
  ) {
    this.watched = [...system.processes, { name: 'load-generator', pid: process.pid }];
  }

  /**
   * Every scenario once before anything is measured: a fresh broker and fresh apps
   * spend their first seconds compiling (Kafka's C2 JIT threads alone took 0.3 cores).
   */
  async warmUp(all: Scenario[]): Promise<void> {
    const scenarios = all.filter((s) => !s.unavailable(this.fixtures));
    const each = Math.max(2, (this.opts.quick ? 6 : 30) / Math.max(1, scenarios.length));
    log(`${this.mode.name}: warming up, ${each.toFixed(0)} s per scenario`);
    for (const s of scenarios) await closedLoop(this.system.gatewayUrl, () => s.next(this.fixtures), this.opts.connections, each);
  }

  /**
   * What every process burns with no request at all: polling, heartbeats, timers. Over 30 s
   * (issue 10's measure; a longer --duration, longer): a 10 s window caught a heartbeat or a
   * GC more or less and swung the stack's total between 0.03 and 0.07 of a core.
   */
  async idle(): Promise<void> {
    await sleep(3000); // the warm-up's last answers
    await this.databaseQuiet('the warm-up');
    const seconds = this.opts.quick ? this.opts.durationS : Math.max(IDLE_S, this.opts.durationS);
    const run = await this.measure('idle', 'idle', {}, async () => {
      await sleep(seconds * 1000);
      return { elapsedS: seconds, latenciesMs: [], statuses: {}, errors: 0, timeouts: 0, unanswered: 0 };
    });
    log(`${this.mode.name} idle: ${run.processes.map((p) => `${p.name} ${p.cores}`).join(', ')} cores`);
  }

  async scenario(scenario: Scenario): Promise<void> {
    const { name } = scenario;
    const why = scenario.unavailable(this.fixtures);
    if (why) {
      this.result.skipped[name] = why;
      log(`${this.mode.name} ${name}: skipped, ${why}`);
      return;
    }
    const url = this.system.gatewayUrl;
    const next = (): RequestSpec => scenario.next(this.fixtures);
    const { connections, durationS } = this.opts;
    await closedLoop(url, next, connections, this.opts.warmupS);

    const { check } = scenario;
    const closed = await this.measure(name, 'closed', { connections }, () => closedLoop(url, next, connections, durationS, check), next);
    await this.measure(name, 'single', { connections: 1 }, () => closedLoop(url, next, 1, durationS, check), next);
    if (this.mode.peer) return; // the peer is the yardstick of the closed-loop and single-connection runs only
    for (const rate of this.opts.rates) {
      const perS = resolveRate(rate, closed.rps);
      await this.measure(name, 'open', { targetRate: perS, rate }, () => openLoop(url, next, perS, durationS, check), next);
    }
  }

  /**
   * Waits (60 s at most) until the database servers burn less than a fifth of a core: with
   * big collections a slow query's backlog (the requests a closed loop left behind, still
   * queued in Kafka) outlives the moment one request answers promptly again, and would be
   * counted against the next run.
   */
  private async databaseQuiet(after: string): Promise<void> {
    const databases = this.watched.filter((p) => ['ferretdb', 'mongod', 'postgresql'].includes(p.name));
    const started = Date.now();
    while (databases.length > 0 && Date.now() - started < 60_000) {
      const sampler = new ProcessSampler(databases);
      sampler.start();
      await sleep(1000);
      if (sampler.stop().processes.every((p) => p.cores < 0.2)) break;
    }
    const waitedS = (Date.now() - started) / 1000;
    if (waitedS > 2) log(`${this.mode.name}: the database worked ${Math.round(waitedS)} s longer on what ${after} left queued`);
  }

  /** Runs `go` with every process sampled every 250 ms. */
  private async measure(scenario: string, load: LoadKind, extra: Partial<RunResult>, go: () => Promise<RawRun>, next?: () => RequestSpec): Promise<RunResult> {
    if (next) {
      let waitedMs = 0;
      for (const requests of new Set([this.previous, next])) if (requests) waitedMs += await settle(this.system.gatewayUrl, requests);
      if (waitedMs > 2000) log(`${this.mode.name} ${scenario}: the system needed ${Math.round(waitedMs / 1000)} s to answer promptly again`);
      await sleep(1000);
      await this.databaseQuiet(`the run before ${scenario} ${load}`);
      this.previous = next;
    }
    const sampler = new ProcessSampler(this.watched);
    sampler.start();
    const raw = await go();
    const usage = sampler.stop();
    const run: RunResult = {
      scenario,
      load,
      ...extra,
      ...loadFigures(raw),
      unanswered: raw.unanswered,
      processes: usage.processes,
      machineBusyCores: usage.machineBusyCores,
    };
    this.result.runs.push(run);
    if (load !== 'idle') {
      const failures = `non-2xx ${JSON.stringify(run.non2xx)}, errors ${run.errors}, timeouts ${run.timeouts}, unanswered ${run.unanswered}`;
      log(`${this.mode.name} ${scenario} ${loadLabel(run)}: ${run.rps} req/s, p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ${failures}`);
    }
    return run;
  }
}

function writeDocs(results: BenchResults): void {
  const doc = fs.existsSync(DOCS) ? fs.readFileSync(DOCS, 'utf8') : '# Benchmarks\n';
  fs.writeFileSync(DOCS, replaceSection(doc, markdown(results)));
  log(`results section of ${path.relative(REPO_ROOT, DOCS)} regenerated`);
}

main().catch((err: unknown) => {
  log(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});

