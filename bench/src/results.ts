/** The shape of bench/results/<date>.json. */
import { ProcessUsage } from './proc-stats';
import { LatencySummary } from './stats';

/** `idle`: no load at all, to see what the processes burn on their own (polling, heartbeats). */
export type LoadKind = 'idle' | 'closed' | 'open' | 'single';

export interface RunResult {
  scenario: string;
  load: LoadKind;
  connections?: number;
  /** Open loop: requests started per second, and how it was asked for ("50%" of the closed-loop req/s, or "500"). */
  targetRate?: number;
  rate?: string;
  elapsedS: number;
  requests: number;
  /** 2xx answers per second: the throughput. */
  rps: number;
  latencyMs: LatencySummary;
  /** Answers that were not 2xx, by status. */
  non2xx: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Closed loop: requests still waiting when the run ended (a stalled system answers nothing). */
  unanswered: number;
  processes: ProcessUsage[];
  /** Busy cores of the whole machine in the window (ours + the load generator + anyone else's). */
  machineBusyCores: number;
  /** Set by bestOfRounds() when a mode ran more than once: the req/s of every round. */
  roundsRps?: number[];
}

export interface ModeResult {
  mode: string;
  /** 1, 2, ... with --rounds: the modes run in turn, round after round. */
  round: number;
  what: string;
  env: Record<string, string>;
  /** Scenarios that could not run, with why (a route answering 404). */
  skipped: Record<string, string>;
  runs: RunResult[];
}

export interface BenchResults {
  date: string;
  command: string;
  /** documents: users, products and orders written into each database before measuring (--documents). */
  settings: { durationS: number; warmupS: number; connections: number; rates: string[]; rounds: number; documents?: number };
  machine: { cpus: number; cpuModel: string; memGiB: number; kernel: string };
  versions: Record<string, string>;
  modes: ModeResult[];
}

/** Pretty at the top, one line per run: small enough to commit, and a diff shows which runs moved. */
export function formatResults(results: BenchResults): string {
  const runs: string[] = [];
  const shell = { ...results, modes: results.modes.map((m) => ({ ...m, runs: m.runs.map((r) => `@run${runs.push(JSON.stringify(r)) - 1}@`) })) };
  return `${JSON.stringify(shell, null, 2).replace(/"@run(\d+)@"/g, (_, i: string) => runs[Number(i)])}\n`;
}
