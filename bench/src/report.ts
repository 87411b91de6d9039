/** Turns results into the ratio table, the terminal table and the Markdown of docs/BENCHMARKS.md. */
import { BenchResults, ModeResult, RunResult } from './results';
import { ratio, round } from './stats';

export const SECTION_START = '<!-- bench:results:start -->';
export const SECTION_END = '<!-- bench:results:end -->';

export interface RatioRow {
  scenario: string;
  mode: string;
  baseline: string;
  /** Closed-loop 2xx req/s, mode / baseline: above 1 is faster. */
  rps?: number;
  /** Closed-loop p99, mode / baseline: below 1 is better. */
  p99?: number;
  /** Single-connection p50, mode / baseline: below 1 is better. */
  singleP50?: number;
}

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
  const score = (r: RunResult) => (r.load === 'idle' ? -r.processes.reduce((sum, p) => sum + p.cores, 0) : r.rps);
  return [...byMode.values()].map((rounds) => {
    if (rounds.length === 1) return rounds[0];
    const groups = new Map<string, RunResult[]>();
    for (const run of rounds.flatMap((m) => m.runs)) groups.set(key(run), [...(groups.get(key(run)) ?? []), run]);
    const runs = [...groups.values()].map((group) => ({ ...[...group].sort((a, b) => score(b) - score(a))[0], roundsRps: group.map((r) => r.rps) }));
    return { ...rounds[0], runs, skipped: Object.assign({}, ...rounds.map((m) => m.skipped)) as Record<string, string> };
  });
}

/** Every mode against the baseline (stock when it ran), scenario by scenario. */
export function ratioRows(modes: ModeResult[], baselineName = 'stock'): RatioRow[] {
  const baseline = modes.find((m) => m.mode === baselineName);
  if (!baseline) return [];
  const rows: RatioRow[] = [];
  for (const mode of modes.filter((m) => m !== baseline)) {
    for (const run of mode.runs.filter((r) => r.load === 'closed')) {
      const base = closedRun(baseline.runs, run.scenario);
      if (!base) continue;
      const single = singleRun(mode.runs, run.scenario);
      const baseSingle = singleRun(baseline.runs, run.scenario);
      rows.push({
        scenario: run.scenario,
        mode: mode.mode,
        baseline: baseline.mode,
        rps: ratio(run.rps, base.rps),
        p99: ratio(run.latencyMs.p99, base.latencyMs.p99),
        singleP50: single && baseSingle ? ratio(single.latencyMs.p50, baseSingle.latencyMs.p50) : undefined,
      });
    }
  }
  return rows;
}

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
    `Each run: ${settings.warmupS} s warm-up, then ${settings.durationS} s measured; closed loop at ${settings.connections} connections and 1 connection, open loop at ${settings.rates.map((r) => (r.endsWith('%') ? `${r} of that closed-loop req/s` : `${r} req/s`)).join(' and ')}.` +
      (rounds > 1 ? ` The modes ran in turn, ${rounds} rounds; each row is the round with the highest req/s (other people's work only ever slows a round down).` : ''),
  );
  for (const mode of modes) {
    const skipped = Object.entries(mode.skipped);
    if (skipped.length) out.push(`Skipped in ${mode.mode}: ${skipped.map(([s, why]) => `${s} (${why})`).join(', ')}.`);
  }

  out.push('', '#### Throughput and latency', '');
  out.push(
    table(
      ['scenario', 'mode', 'load', 'req/s', ...(rounds > 1 ? ['req/s of each round'] : []), 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx', 'errors/timeouts', 'busiest process (cores)'],
      modes
        .flatMap((m) =>
          m.runs
            .filter((r) => r.load !== 'idle')
            .map((r) => [
              r.scenario,
              m.mode,
              loadLabel(r),
              fmt(r.rps, 0),
              ...(rounds > 1 ? [(r.roundsRps ?? [r.rps]).join(', ')] : []),
              ms(r, r.latencyMs.p50),
              ms(r, r.latencyMs.p95),
              ms(r, r.latencyMs.p99),
              ms(r, r.latencyMs.max, 0),
              codes(r.non2xx),
              failures(r),
              busiest(r),
            ]),
        )
        .sort((a, b) => a[0].localeCompare(b[0])),
    ),
  );

  const ratios = ratioRows(modes);
  if (ratios.length) {
    out.push('', `#### Ratios against ${ratios[0].baseline} (closed loop, ${settings.connections} connections; single connection for p50)`, '');
    out.push(
      table(
        ['scenario', 'mode', 'req/s ratio', 'p99 ratio', '1-conn p50 ratio'],
        ratios.map((r) => [r.scenario, `${r.mode} / ${r.baseline}`, fmt(r.rps, 2), fmt(r.p99, 2), fmt(r.singleP50, 2)]),
      ),
    );
  }

  const names = processNames(results);
  out.push('', `#### CPU cores used per process (closed loop at ${settings.connections} connections, and with no load; 1.00 = one core busy for the whole run)`, '');
  out.push(
    table(
      ['scenario', 'mode', ...names.map((n) => `${n} cores`), 'machine busy cores', 'other people’s cores'],
      modes
        .flatMap((m) =>
          m.runs
            .filter((r) => r.load === 'idle' || (r.load === 'closed' && r.connections === settings.connections))
            .map((r) => [r.scenario, m.mode, ...names.map((n) => fmt(r.processes.find((p) => p.name === n)?.cores, 2)), fmt(r.machineBusyCores, 2), fmt(othersCores(r), 2)]),
        )
        .sort((a, b) => a[0].localeCompare(b[0])),
    ),
  );

  out.push('', `#### CPU milliseconds per answered request (closed loop): what one request costs each process, and the req/s that ${machine.cpus} cores could give at that cost`, '');
  out.push(
    table(
      ['scenario', 'mode', ...names.map((n) => `${n} ms`), 'total ms', `ceiling on ${machine.cpus} cores (req/s)`, 'measured req/s'],
      modes
        .flatMap((m) =>
          m.runs
            .filter((r) => r.load === 'closed' && r.requests > 0)
            .map((r) => {
              const perRequest = names.map((n) => ((r.processes.find((p) => p.name === n)?.cpuS ?? 0) * 1000) / r.requests);
              const total = perRequest.reduce((a, b) => a + b, 0);
              return [r.scenario, m.mode, ...perRequest.map((v) => fmt(v, 2)), fmt(total, 2), fmt((machine.cpus * 1000) / total, 0), fmt(r.rps, 0)];
            }),
        )
        .sort((a, b) => a[0].localeCompare(b[0])),
    ),
  );

  const profiled = modes.flatMap((m) => m.runs.filter((r) => r.profile).map((r) => ({ mode: m.mode, run: r, profile: r.profile! })));
  if (profiled.length) {
    out.push('', '#### Where the CPU goes (`--profile`, closed loop): share of each app’s busy time by the package that caused it, and Kafka’s cores by thread', '');
    out.push(
      table(
        ['scenario', 'mode', 'process', 'cores', 'where'],
        profiled.flatMap(({ mode, run, profile }) => [
          ...Object.entries(profile.apps).map(([app, p]) => [run.scenario, mode, app, fmt(run.processes.find((x) => x.name === app)?.cores, 2), p.byOwner.slice(0, 5).map((o) => `${o.where} ${o.pct}%`).join(', ')]),
          [run.scenario, mode, 'kafka', fmt(run.processes.find((x) => x.name === 'kafka')?.cores, 2), profile.kafkaThreads.slice(0, 4).map((t) => `${t.thread} ${t.cores.toFixed(2)}`).join(', ')],
        ]),
      ),
    );
  }

  out.push('', `#### Peak RSS per process over all runs${rounds > 1 ? ' and rounds' : ''} (MB)`, '');
  out.push(
    table(
      ['mode', ...names.map((n) => `${n} MB`)],
      modes.map((m) => {
        const runs = results.modes.filter((all) => all.mode === m.mode).flatMap((all) => all.runs);
        return [m.mode, ...names.map((n) => fmt(Math.max(0, ...runs.flatMap((r) => r.processes.filter((p) => p.name === n).map((p) => p.peakRssMb))), 0))];
      }),
    ),
  );
  return out.join('\n');
}

/** One line per run, for the terminal. */
export function consoleTable(results: BenchResults): string {
  const modes = bestOfRounds(results.modes);
  const rows = modes.flatMap((m) =>
    m.runs.map((r) => [m.mode, r.scenario, loadLabel(r), fmt(r.rps, 0), ms(r, r.latencyMs.p50), ms(r, r.latencyMs.p95), ms(r, r.latencyMs.p99), ms(r, r.latencyMs.max, 0), codes(r.non2xx), failures(r), busiest(r)]),
  );
  const header = ['mode', 'scenario', 'load', 'req/s', 'p50', 'p95', 'p99', 'max', 'non-2xx', 'err/t.o.', 'busiest (cores)'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 || i >= 8 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const ratioLines = ratioRows(modes).map((r) => `${r.scenario.padEnd(13)} ${r.mode}/${r.baseline}: req/s ×${fmt(r.rps, 2)}, p99 ×${fmt(r.p99, 2)}${r.singleP50 ? `, 1-conn p50 ×${fmt(r.singleP50, 2)}` : ''}`);
  return [line(header), ...rows.map(line), '', ...ratioLines].join('\n');
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
  const order = ['gateway', 'user-service', 'product-service', 'order-service', 'kafka', 'ferretdb', 'mongod', 'load-generator'];
  const seen = new Set(results.modes.flatMap((m) => m.runs.flatMap((r) => r.processes.map((p) => p.name))));
  return order.filter((n) => seen.has(n));
}
