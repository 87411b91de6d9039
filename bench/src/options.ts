import { parseArgs } from 'node:util';
import { SCENARIO_NAMES, ScenarioName } from './scenarios';
import { MODES } from './system';

export interface BenchOptions {
  durationS: number;
  warmupS: number;
  connections: number;
  /** Open-loop rates: "500" is 500 requests/s, "50%" half of the scenario's closed-loop req/s in that mode. */
  rates: string[];
  scenarios: ScenarioName[];
  modes: string[];
  /** The modes run in turn this many times (ours, peer, ours, peer, ...); the report keeps each run's best round. */
  rounds: number;
  /** Short runs for a smoke check: results go to a .tmp.json and the docs stay as they are. */
  quick: boolean;
  /** Only rewrite docs/BENCHMARKS.md from this results file. */
  docsFrom?: string;
  /** A built checkout of an earlier commit, run as the `baseline` mode. */
  baseline?: string;
  /** Users, products and orders written into each database of the run before anything is measured (0: none). */
  documents: number;
}

export const USAGE = `npm run bench -- [--quick] [--duration 10] [--warmup 3] [--connections 32] [--rates 50%,500]
                   [--scenarios ${SCENARIO_NAMES.join(',')}] [--modes ours,peer] [--rounds 2]
                   [--docs-from bench/results/<file>.json] [--baseline <checkout> (with --modes ours,baseline,...)]
                   [--documents 10000 (users, products and orders in each database before measuring)]
Each flag also reads BENCH_<NAME> from the environment (BENCH_DURATION=20). Modes: ${Object.keys(MODES).join(', ')}.
The peer (the stock NestJS demo) runs its echo whatever --scenarios says: ours' rows are divided by it.`;

/** Flags first, then BENCH_* variables, then defaults (shorter ones with --quick). */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = {}): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      rates: { type: 'string' },
      scenarios: { type: 'string' },
      modes: { type: 'string' },
      rounds: { type: 'string' },
      quick: { type: 'boolean' },
      'docs-from': { type: 'string' },
      baseline: { type: 'string' },
      documents: { type: 'string' },
    },
  });
  const get = (name: keyof typeof values & string) => (values[name] as string | undefined) ?? env[`BENCH_${name.toUpperCase().replace('-', '_')}`];
  const quick = values.quick ?? ['1', 'true'].includes(env.BENCH_QUICK ?? '');

  const scenarios = list(get('scenarios')) ?? [...SCENARIO_NAMES];
  const unknownScenario = scenarios.find((s) => !(SCENARIO_NAMES as readonly string[]).includes(s));
  if (unknownScenario) throw new Error(`unknown scenario "${unknownScenario}" (one of ${SCENARIO_NAMES.join(', ')})`);
  const modes = list(get('modes')) ?? ['ours', 'peer'];
  const unknownMode = modes.find((m) => !MODES[m]);
  if (unknownMode) throw new Error(`unknown mode "${unknownMode}" (one of ${Object.keys(MODES).join(', ')})`);
  const baseline = get('baseline');
  if (modes.includes('baseline') !== (baseline !== undefined)) throw new Error('the baseline mode and --baseline <checkout> go together: a built checkout of the commit to compare with');

  return {
    durationS: positive('duration', get('duration'), quick ? 3 : 10),
    warmupS: positive('warmup', get('warmup'), quick ? 1 : 3),
    connections: positive('connections', get('connections'), 32),
    rates: (list(get('rates')) ?? (quick ? ['50%'] : ['50%', '500'])).map(rateSpec),
    scenarios: scenarios as ScenarioName[],
    modes,
    rounds: Math.round(positive('rounds', get('rounds'), quick ? 1 : 2)),
    quick,
    docsFrom: get('docs-from'),
    baseline,
    documents: count('documents', get('documents')),
  };
}

function rateSpec(value: string): string {
  if (!/^\d+(\.\d+)?%?$/.test(value) || parseFloat(value) <= 0) throw new Error(`--rates takes numbers (req/s) or percentages of the closed-loop req/s, got "${value}"`);
  return value;
}

/** Requests per second for a rate spec, given the closed-loop req/s of the same scenario and mode (at least 1). */
export function resolveRate(spec: string, closedRps: number): number {
  const n = parseFloat(spec);
  return Math.max(1, Math.round(spec.endsWith('%') ? (closedRps * n) / 100 : n));
}

function list(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items?.length ? items : undefined;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${value}"`);
  return n;
}

function count(name: string, value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} takes a whole number, got "${value}"`);
  return Number(value);
}

/** `items` rotated left by `by`: the order of the modes in a round. */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
