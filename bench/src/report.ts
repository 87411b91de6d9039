/** Turns results into the tables of the terminal and of docs/BENCHMARKS.md, ours against the peer first. */
import { BenchResults, ModeResult, RunResult } from './results';
import { ratio, round } from './stats';

export const SECTION_START = '<!-- bench:results:start -->';
export const SECTION_END = '<!-- bench:results:end -->';

const closedRun = (runs: RunResult[], scenario: string) => runs.find((r) => r.scenario === scenario && r.load === 'closed');
const singleRun = (runs: RunResult[], scenario: string) => runs.find((r) => r.scenario === scenario && r.load === 'single');

/**
 * One result per mode when modes ran several rounds: for each run, the round with the
 * highest req/s (for the idle measurement, the least CPU). Other people's work on a
 * shared machine only ever slows a round down, so the best round is the closest to what
 * the system does alone; every round's req/s is kept in `roundsRps`.
 */
export function bestOfRounds(modes: ModeResult[]): ModeResult[] {
  const byMode = new Map<string, ModeResult[]>();
  for (const m of modes) byMode.set(m.mode, [...(byMode.get(m.mode) ?? []), m]);
  const key = (r: RunResult) => `${r.scenario}|${r.load}|${r.connections ?? ''}|${r.rate ?? ''}`;
  // Idle: the stack's CPU seconds, unrounded and without the load generator (whose own timers are not the stack's).
  const score = (r: RunResult) => (r.load === 'idle' ? -r.processes.filter((p) => p.name !== 'load-generator').reduce((sum, p) => sum + p.cpuS, 0) : r.rps);
  return [...byMode.values()].map((rounds) => {
    if (rounds.length === 1) return rounds[0];
    const groups = new Map<string, RunResult[]>();
    for (const run of rounds.flatMap((m) => m.runs)) groups.set(key(run), [...(groups.get(key(run)) ?? []), run]);
    const runs = [...groups.values()].map((group) => ({ ...[...group].sort((a, b) => score(b) - score(a))[0], roundsRps: group.map((r) => r.rps) }));
    return { ...rounds[0], runs, skipped: Object.assign({}, ...rounds.map((m) => m.skipped)) as Record<string, string> };
  });
}

/** The mode every other is divided by: the stock NestJS demo, its echo. */
export const PEER = 'peer';

interface PeerEcho {
  closed?: RunResult;
  single?: RunResult;
}

function peerEcho(modes: ModeResult[]): PeerEcho {
  const peer = modes.find((m) => m.mode === PEER);
  return { closed: peer && closedRun(peer.runs, 'echo'), single: peer && singleRun(peer.runs, 'echo') };
}

/**
 * A run against the peer's echo of the same rounds: req/s / the peer's req/s for a
 * closed-loop run (above 1: ours answers more), p50 / the peer's p50 for a
 * single-connection run (below 1: ours answers sooner); nothing for the other runs.
 */
export function vsPeer(run: RunResult, peer: PeerEcho): number | undefined {
  if (run.load === 'closed') return ratio(run.rps, peer.closed?.rps);
  if (run.load === 'single') return ratio(run.latencyMs.p50, peer.single?.latencyMs.p50);
  return undefined;
}

export interface PeerRow {
  scenario: string;
  mode: string;
  /** Closed loop. */
  rps: number;
  p50: number;
  p99: number;
  /** p99 / p50 of the closed loop: how long the tail is against the typical answer. */
  tail?: number;
  rpsVsPeer?: number;
  /** Single connection. */
  singleP50?: number;
  singleP50VsPeer?: number;
}

/** The lead table: every closed-loop scenario of every mode, the peer's echo first, each with the ratios to that echo. */
export function peerRows(modes: ModeResult[]): PeerRow[] {
  const peer = peerEcho(modes);
  if (!peer.closed) return [];
  return [...modes]
    .sort((a, b) => Number(b.mode === PEER) - Number(a.mode === PEER))
    .flatMap((m) =>
      m.runs
        .filter((r) => r.load === 'closed')
        .map((run) => {
          const single = singleRun(m.runs, run.scenario);
          const { p50, p99 } = run.latencyMs;
          const tail = ratio(p99, p50);
          return { scenario: run.scenario, mode: m.mode, rps: run.rps, p50, p99, tail, rpsVsPeer: vsPeer(run, peer), singleP50: single?.latencyMs.p50, singleP50VsPeer: single && vsPeer(single, peer) };
        }),
    );
}

const PEER_NOTE =
  "The peer's `echo` (`GET /echo/:id`) is one request-reply over Kafka and no database. Ours: `health` uses no Kafka, `echo` (`GET /api/status`) is three request-replies (a ping to each service), a product read answers from the gateway's memory, a user read from user-service's (one request-reply), an order is three request-replies plus writes. `ours / peer`: req/s divided by the peer's echo req/s (above 1: more), single-connection p50 divided by the peer's (below 1: sooner). `p99 / p50`: the closed loop's tail against its typical answer.";

const vsPeerCell = (run: RunResult, peer: PeerEcho): string => {
  const v = vsPeer(run, peer);
  return v === undefined ? '–' : `${fmt(v, 2)} (${run.load === 'single' ? 'p50' : 'req/s'})`;
};

export function loadLabel(run: RunResult): string {
  if (run.load === 'idle') return 'no load';
  if (run.load === 'open') return run.rate?.endsWith('%') ? `${run.targetRate}/s (${run.rate})` : `${run.targetRate}/s`;
  return `${run.connections} conn`;
}

export const fmt = (n: number | undefined, digits = 1): string => (n === undefined ? '–' : n.toFixed(digits));
export const codes = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .map(([code, n]) => `${code}×${n}`)
    .join(' ') || '0';
const failures = (run: RunResult): string => (run.errors || run.timeouts ? `${run.errors}/${run.timeouts}` : '0');
/** A latency of a run that got no answer at all is not 0 ms. */
const ms = (run: RunResult, value: number, digits = 1): string => (run.requests ? fmt(value, digits) : '–');

/** The process that used the most CPU in a run, e.g. "gateway 0.97". */
export function busiest(run: RunResult): string {
  const top = [...run.processes].filter((p) => p.name !== 'load-generator').sort((a, b) => b.cores - a.cores)[0];
  return top ? `${top.name} ${top.cores.toFixed(2)}` : '–';
}

export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Rows of every mode's runs that pass `keep`, ordered by scenario. */
const rowsOf = (modes: ModeResult[], keep: (r: RunResult) => boolean, cells: (m: ModeResult, r: RunResult) => string[]): string[][] =>
  modes.flatMap((m) => m.runs.filter(keep).map((r) => cells(m, r))).sort((a, b) => a[0].localeCompare(b[0]));

/** The table everything else leads with: ours against the stock NestJS demo's echo. Empty when the peer did not run. */
function leadTable(modes: ModeResult[], connections: number): string[] {
  const lead = peerRows(modes);
  if (!lead.length) return [];
  return [
    `#### Ours vs the stock NestJS demo (closed loop at ${connections} connections; single connection for p50)`,
    '',
    table(
      ['scenario', 'mode', 'req/s', 'ours / peer req/s', 'p50 / p99 ms', 'p99 / p50', '1-conn p50 ms', 'ours / peer 1-conn p50'],
      lead.map((r) => [r.scenario, r.mode, fmt(r.rps, 0), fmt(r.rpsVsPeer, 2), `${fmt(r.p50)} / ${fmt(r.p99)}`, fmt(r.tail), fmt(r.singleP50), fmt(r.singleP50VsPeer, 2)]),
    ),
    '',
    PEER_NOTE,
    '',
  ];
}

function runsTable(modes: ModeResult[], rounds: number): string {
  const peer = peerEcho(modes);
  return table(
    ['scenario', 'mode', 'load', 'req/s', ...(rounds > 1 ? ['req/s of each round'] : []), 'ours / peer', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors/timeouts', 'busiest process (cores)'],
    rowsOf(
      modes,
      (r) => r.load !== 'idle',
      (m, r) => [
        r.scenario,
        m.mode,
        loadLabel(r),
        fmt(r.rps, 0),
        ...(rounds > 1 ? [(r.roundsRps ?? [r.rps]).join(', ')] : []),
        vsPeerCell(r, peer),
        ms(r, r.latencyMs.p50),
        ms(r, r.latencyMs.p95),
        ms(r, r.latencyMs.p99),
        ms(r, r.latencyMs.max, 0),
        codes(r.non2xx),
        failures(r),
        busiest(r),
      ],
    ),
  );
}

/** The tables that go between the markers in docs/BENCHMARKS.md. */
export function markdown(results: BenchResults): string {
  const { machine, versions, settings } = results;
  const modes = bestOfRounds(results.modes);
  const rounds = settings.rounds ?? 1;
  const out: string[] = [];
  out.push(`Run of ${results.date}: \`${results.command}\``);
  out.push('');
  out.push(`Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memGiB} GiB RAM, Linux ${machine.kernel}, shared with other work (see "machine busy").`);
  out.push(`Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  out.push(
    `Each run: ${settings.warmupS} s warm-up, then ${settings.durationS} s measured (the idle stack: at least 30 s, except with --quick); closed loop at ${settings.connections} connections and 1 connection, open loop at ${settings.rates.map((r) => (r.endsWith('%') ? `${r} of that closed-loop req/s` : `${r} req/s`)).join(' and ')} (ours only).` +
      (rounds > 1 ? ` The modes ran in turn, ${rounds} rounds; each row is the round with the highest req/s (other people's work only ever slows a round down).` : '') +
      (settings.documents ? ` Before anything was measured, each database held ${settings.documents.toLocaleString('en-US')} users, products (with their stock) and orders more than the runs create, and the scenarios pick among them too.` : ''),
  );
  for (const mode of modes) {
    const skipped = Object.entries(mode.skipped);
    if (skipped.length) out.push(`Skipped in ${mode.mode}: ${skipped.map(([s, why]) => `${s} (${why})`).join(', ')}.`);
  }
  out.push('', ...leadTable(modes, settings.connections));
  out.push('#### Throughput and latency', '', runsTable(modes, rounds));

  const names = processNames(results);
  const cpuOf = (r: RunResult, n: string) => r.processes.find((p) => p.name === n);
  out.push('', `#### CPU cores used per process (closed loop at ${settings.connections} connections, and with no load; 1.00 = one core busy for the whole run)`, '');
  out.push(
    table(
      ['scenario', 'mode', ...names.map((n) => `${n} cores`), 'machine busy cores', 'other people’s cores'],
      rowsOf(
        modes,
        (r) => r.load === 'idle' || (r.load === 'closed' && r.connections === settings.connections),
        (m, r) => [r.scenario, m.mode, ...names.map((n) => fmt(cpuOf(r, n)?.cores, 2)), fmt(r.machineBusyCores, 2), fmt(othersCores(r), 2)],
      ),
    ),
  );

  out.push('', `#### CPU milliseconds per answered request (closed loop): what one request costs each process, and the req/s that ${machine.cpus} cores could give at that cost`, '');
  out.push(
    table(
      ['scenario', 'mode', ...names.map((n) => `${n} ms`), 'total ms', `ceiling on ${machine.cpus} cores (req/s)`, 'measured req/s'],
      rowsOf(
        modes,
        (r) => r.load === 'closed' && r.requests > 0,
        (m, r) => {
          const perRequest = names.map((n) => cpuOf(r, n)).map((p) => p && (p.cpuS * 1000) / r.requests);
          const total = perRequest.reduce<number>((a, b) => a + (b ?? 0), 0);
          return [r.scenario, m.mode, ...perRequest.map((v) => fmt(v, 2)), fmt(total, 2), fmt((machine.cpus * 1000) / total, 0), fmt(r.rps, 0)];
        },
      ),
    ),
  );

  out.push('', `#### Peak RSS per process over all runs${rounds > 1 ? ' and rounds' : ''} (MB)`, '');
  out.push(
    table(
      ['mode', ...names.map((n) => `${n} MB`)],
      modes.map((m) => {
        const runs = results.modes.filter((all) => all.mode === m.mode).flatMap((all) => all.runs);
        return [m.mode, ...names.map((n) => fmt(peak(runs.flatMap((r) => r.processes.filter((p) => p.name === n).map((p) => p.peakRssMb))), 0))];
      }),
    ),
  );
  return out.join('\n');
}

/** For the terminal: the same lead table and runs table as the docs. */
export function consoleTable(results: BenchResults): string {
  const modes = bestOfRounds(results.modes);
  return [...leadTable(modes, results.settings.connections), runsTable(modes, results.settings.rounds ?? 1)].join('\n');
}

/** The document with the text between the markers replaced (markers appended when absent). */
export function replaceSection(doc: string, section: string): string {
  const block = `${SECTION_START}\n${section.trim()}\n${SECTION_END}`;
  const start = doc.indexOf(SECTION_START);
  const end = doc.indexOf(SECTION_END);
  if (start === -1 || end < start) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, start) + block + doc.slice(end + SECTION_END.length);
}

/** Busy cores of the machine not used by any process we watch: someone else's tests, builds, editors. */
export function othersCores(run: RunResult): number {
  return Math.max(0, round(run.machineBusyCores - run.processes.reduce((sum, p) => sum + p.cores, 0)));
}

function processNames(results: BenchResults): string[] {
  const order = ['gateway', 'user-service', 'product-service', 'order-service', 'peer-gateway', 'peer-service', 'kafka', 'ferretdb', 'postgresql', 'mongod', 'load-generator'];
  const seen = new Set(results.modes.flatMap((m) => m.runs.flatMap((r) => r.processes.map((p) => p.name))));
  return order.filter((n) => seen.has(n));
}

/** The highest of some values; undefined when there is none (a process the mode does not have). */
const peak = (values: number[]): number | undefined => (values.length ? Math.max(...values) : undefined);
