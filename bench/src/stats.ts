/** Latency in milliseconds over one run: what a reader of the table compares. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (0 < p <= 100); 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    count: values.length,
    mean: round(values.length ? sum / values.length : 0),
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? values[values.length - 1] : 0),
  };
}

/** What every run reports of its load: how many requests, 2xx per second, latency, failures. */
export function loadFigures(raw: { elapsedS: number; latenciesMs: readonly number[]; statuses: Readonly<Record<string, number>>; errors: number; timeouts: number }) {
  const ok = Object.entries(raw.statuses).reduce((n, [code, count]) => (code.startsWith('2') ? n + count : n), 0);
  return {
    elapsedS: round(raw.elapsedS),
    requests: raw.latenciesMs.length,
    rps: Math.round(ok / raw.elapsedS),
    latencyMs: summarize(raw.latenciesMs),
    non2xx: non2xx(raw.statuses),
    errors: raw.errors,
    timeouts: raw.timeouts,
  };
}

/** Counts of responses that were not 2xx, by status code ("404": 3). */
export function non2xx(statuses: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(statuses).filter(([code]) => !code.startsWith('2')));
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** a / b, rounded; undefined when either side is missing or b is 0 (no ratio to show). */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return round(a / b);
}
