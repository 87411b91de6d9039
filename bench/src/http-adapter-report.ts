/** Options, result shape and tables of `npm run bench:http` (Fastify against Express). */
import { parseArgs } from 'node:util';
import { BenchResults, RunResult } from './results';
import { codes, fmt, table } from './report';
import { ratio, round } from './stats';

export const ADAPTERS = ['express', 'fastify'] as const;
export type AdapterName = (typeof ADAPTERS)[number];

export interface HttpAdapterOptions {
  durationS: number;
  warmupS: number;
  connections: number;
  rounds: number;
}

export const HTTP_USAGE = `npm run bench:http -- [--duration 10] [--warmup 3] [--connections 32] [--rounds 3]`;

export function parseHttpOptions(argv: string[]): HttpAdapterOptions {
  const { values } = parseArgs({
    args: argv,
    options: { duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' }, rounds: { type: 'string' } },
  });
  const positive = (name: keyof typeof values, fallback: number): number => {
    const n = values[name] === undefined ? fallback : Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${values[name]}"`);
    return n;
  };
  return { durationS: positive('duration', 10), warmupS: positive('warmup', 3), connections: Math.round(positive('connections', 32)), rounds: Math.round(positive('rounds', 3)) };
}

/**
 * Express first in odd rounds, Fastify first in even ones (E F, F E, E F, ...): on a
 * shared machine whose load drifts, neither adapter always runs in the earlier slot.
 */
export function adapterOrder(roundNumber: number): AdapterName[] {
  return roundNumber % 2 === 1 ? [...ADAPTERS] : [...ADAPTERS].reverse();
}

/** One route driven against one adapter in one round: the figures `npm run bench` keeps for a run, and the app's cost. */
export interface AdapterRun extends Pick<RunResult, 'elapsedS' | 'requests' | 'rps' | 'latencyMs' | 'non2xx' | 'errors' | 'timeouts'> {
  round: number;
  adapter: AdapterName;
  route: string;
  /** CPU seconds (user + system) of the app's process over the run. */
  serverCpuS: number;
  /** serverCpuS per answer, in milliseconds: the cost of a request, whatever else the machine did. */
  cpuMsPerRequest: number;
  serverPeakRssMb: number;
  loadGeneratorCores: number;
  /** Busy cores of the whole machine: ours, the load generator's and anyone else's. */
  machineBusyCores: number;
}

export interface HttpAdapterResults {
  date: string;
  command: string;
  settings: HttpAdapterOptions;
  machine: BenchResults['machine'];
  versions: Record<string, string>;
  runs: AdapterRun[];
}

export function cpuMsPerRequest(cpuS: number, requests: number): number {
  return requests > 0 ? round((cpuS * 1000) / requests, 3) : 0;
}

/**
 * For each route and adapter, the round with the most req/s: other people's work on a
 * shared machine only ever slows a round down. Routes and adapters keep their run order.
 */
export function bestRuns(runs: readonly AdapterRun[]): AdapterRun[] {
  const best = new Map<string, AdapterRun>();
  for (const run of runs) {
    const key = `${run.route}|${run.adapter}`;
    const kept = best.get(key);
    if (!kept || run.rps > kept.rps) best.set(key, run);
  }
  return [...best.values()].sort((a, b) => routeOrder(runs, a) - routeOrder(runs, b) || ADAPTERS.indexOf(a.adapter) - ADAPTERS.indexOf(b.adapter));
}

const routeOrder = (runs: readonly AdapterRun[], run: AdapterRun): number => runs.findIndex((r) => r.route === run.route);

export interface AdapterRatios {
  route: string;
  /** Fastify / Express of the best rounds: above 1 is more for Fastify. */
  rps?: number;
  p50?: number;
  p99?: number;
  cpuMsPerRequest?: number;
  peakRssMb?: number;
  /** Fastify / Express req/s of the two runs of the same round, round by round. */
  rpsByRound: (number | undefined)[];
}

export function adapterRatios(runs: readonly AdapterRun[]): AdapterRatios[] {
  const best = bestRuns(runs);
  const routes = [...new Set(best.map((r) => r.route))];
  return routes.map((route) => {
    const find = (adapter: AdapterName, from: readonly AdapterRun[], roundNumber?: number) =>
      from.find((r) => r.route === route && r.adapter === adapter && (roundNumber === undefined || r.round === roundNumber));
    const [e, f] = [find('express', best), find('fastify', best)];
    const rounds = [...new Set(runs.filter((r) => r.route === route).map((r) => r.round))].sort((a, b) => a - b);
    return {
      route,
      rps: ratio(f?.rps, e?.rps),
      p50: ratio(f?.latencyMs.p50, e?.latencyMs.p50),
      p99: ratio(f?.latencyMs.p99, e?.latencyMs.p99),
      cpuMsPerRequest: ratio(f?.cpuMsPerRequest, e?.cpuMsPerRequest),
      peakRssMb: ratio(f?.serverPeakRssMb, e?.serverPeakRssMb),
      rpsByRound: rounds.map((n) => ratio(find('fastify', runs, n)?.rps, find('express', runs, n)?.rps)),
    };
  });
}

export function markdown(results: HttpAdapterResults): string {
  const { settings, machine, versions, runs } = results;
  const best = bestRuns(runs);
  const roundsRps = (run: AdapterRun) => runs.filter((r) => r.route === run.route && r.adapter === run.adapter).map((r) => r.rps);
  return [
    `Run of ${results.date}: \`${results.command}\``,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memGiB} GiB RAM, Linux ${machine.kernel}, shared with other work (see "machine busy").`,
    `Versions: ${Object.entries(versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    `A fresh app process per adapter and round; per route ${settings.warmupS} s warm-up, then ${settings.durationS} s closed loop at ${settings.connections} connections. ` +
      `${settings.rounds} round(s), adapters in turn (express first in odd rounds, fastify first in even ones).`,
    '',
    '#### Best round per adapter and route (highest req/s)',
    '',
    table(
      ['route', 'adapter', 'req/s', 'req/s of each round', 'p50 ms', 'p99 ms', 'server CPU ms/req', 'server peak RSS MB', 'non-2xx'],
      best.map((r) => [r.route, r.adapter, fmt(r.rps, 0), roundsRps(r).join(', '), fmt(r.latencyMs.p50, 2), fmt(r.latencyMs.p99, 2), fmt(r.cpuMsPerRequest, 3), fmt(r.serverPeakRssMb, 0), codes(r.non2xx)]),
    ),
    '',
    '#### Fastify / Express (best rounds; req/s above 1 and the others below 1 favour Fastify)',
    '',
    table(
      ['route', 'req/s', 'req/s, round by round', 'p50', 'p99', 'CPU ms/req', 'peak RSS'],
      adapterRatios(runs).map((r) => [r.route, fmt(r.rps, 2), r.rpsByRound.map((x) => fmt(x, 2)).join(', '), fmt(r.p50, 2), fmt(r.p99, 2), fmt(r.cpuMsPerRequest, 2), fmt(r.peakRssMb, 2)]),
    ),
    '',
    '#### Every run',
    '',
    table(
      ['round', 'adapter', 'route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors/timeouts', 'server CPU s', 'CPU ms/req', 'peak RSS MB', 'load generator cores', 'machine busy cores'],
      runs.map((r) => [
        String(r.round),
        r.adapter,
        r.route,
        fmt(r.rps, 0),
        fmt(r.latencyMs.p50, 2),
        fmt(r.latencyMs.p99, 2),
        codes(r.non2xx),
        `${r.errors}/${r.timeouts}`,
        fmt(r.serverCpuS, 2),
        fmt(r.cpuMsPerRequest, 3),
        fmt(r.serverPeakRssMb, 0),
        fmt(r.loadGeneratorCores, 2),
        fmt(r.machineBusyCores, 2),
      ]),
    ),
  ].join('\n');
}
