/**
 * The two ways of loading the gateway.
 * - closed loop (autocannon): N connections, each sends its next request when the last
 *   one is answered; throughput is what the system gives at that concurrency.
 * - open loop (our own pacer): requests start at a fixed rate whatever the answers do,
 *   and latency counts from when a request was due, so a stall shows as latency
 *   instead of as fewer requests (no coordinated omission). autocannon's `overallRate`
 *   is not used for this: it lets each connection fire its share of a second as a
 *   burst at the top of that second, which measures bursts, not a steady rate.
 */
import autocannon from 'autocannon';
import * as http from 'node:http';
import { headersOf, RequestSpec } from './scenarios';

export interface RawRun {
  /** Seconds from the first request to the last answer. */
  elapsedS: number;
  latenciesMs: number[];
  statuses: Record<string, number>;
  /** Connection errors (refused, reset) and requests that got no answer in time. */
  errors: number;
  timeouts: number;
  /** Closed loop: requests still waiting for their answer when the run ended (normally one per connection). */
  unanswered: number;
}

/** Tells a 2xx answer that is still a failure ({"status":"degraded"}); such answers are counted under "degraded", not 2xx. */
export type BodyCheck = (body: string) => boolean;

const REQUEST_TIMEOUT_S = 10;

export async function closedLoop(baseUrl: string, next: () => RequestSpec, connections: number, durationS: number, check?: BodyCheck): Promise<RawRun> {
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const degraded = new Map<number, number>();
  const onResponse = check ? (status: number, body: string) => void (status < 300 && !check(body) && degraded.set(status, (degraded.get(status) ?? 0) + 1)) : undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: baseUrl,
        connections,
        duration: durationS,
        timeout: REQUEST_TIMEOUT_S,
        // A fresh headers object every time: autocannon writes Content-Length into it, and a
        // shared one would make every later GET announce the body of an earlier POST.
        requests: [{ setupRequest: (req) => withHeaders(req, next()), onResponse }],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latenciesMs.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
  for (const [status, count] of degraded) countDegraded(statuses, status, count);
  const unanswered = Math.max(0, (result.requests.sent ?? 0) - latenciesMs.length - result.errors);
  return { elapsedS: result.duration, latenciesMs, statuses, errors: result.errors - result.timeouts, timeouts: result.timeouts, unanswered };
}

function countDegraded(statuses: Record<string, number>, status: number, degraded: number): void {
  if (!degraded) return;
  statuses[status] -= degraded;
  if (statuses[status] === 0) delete statuses[status];
  statuses.degraded = (statuses.degraded ?? 0) + degraded;
}

function withHeaders(req: autocannon.Request, spec: RequestSpec): autocannon.Request {
  return { ...req, method: spec.method, path: spec.path, body: spec.body ?? '', headers: headersOf(spec) };
}

/**
 * Sockets an open loop may hold at once: more than a flood can legitimately keep waiting.
 * At 500 orders/s with a 2.5 s admission budget and about 100 placed a second, some 250
 * admitted calls are in flight; with 256 sockets those held every socket, and the
 * refusals queued in this process for seconds (client timeouts the gateway never saw).
 */
const OPEN_LOOP_SOCKETS = 2048;

export async function openLoop(baseUrl: string, next: () => RequestSpec, ratePerS: number, durationS: number, check?: BodyCheck, maxSockets = OPEN_LOOP_SOCKETS): Promise<RawRun> {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const run: RawRun = { elapsedS: 0, latenciesMs: [], statuses: {}, errors: 0, timeouts: 0, unanswered: 0 };
  const total = Math.round(ratePerS * durationS);
  const pending: Promise<void>[] = [];
  const t0 = performance.now();

  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - t0) * ratePerS) / 1000) + 1);
    for (; sent < due; sent++) pending.push(send(agent, baseUrl, next(), t0 + (sent * 1000) / ratePerS, run, check));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(pending);
  run.elapsedS = (performance.now() - t0) / 1000;
  agent.destroy();
  return run;
}

/**
 * One request; its latency counts from `dueAt`, when the schedule wanted it sent, and
 * it gives up REQUEST_TIMEOUT_S after that (time queued for a socket included).
 */
function send(agent: http.Agent, baseUrl: string, spec: RequestSpec, dueAt: number, run: RawRun, check?: BodyCheck): Promise<void> {
  return new Promise((resolve) => {
    const req = http.request(baseUrl + spec.path, { method: spec.method, agent, headers: headersOf(spec) });
    const timer = setTimeout(() => req.destroy(new Error('timeout')), Math.max(0, dueAt + REQUEST_TIMEOUT_S * 1000 - performance.now()));
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    req.on('response', (res) => {
      let body = '';
      if (check) res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      else res.resume();
      res.on('end', () => {
        run.latenciesMs.push(performance.now() - dueAt);
        const status = res.statusCode ?? 0;
        run.statuses[status] = (run.statuses[status] ?? 0) + 1;
        if (check && status < 300 && !check(body)) countDegraded(run.statuses, status, 1);
        done();
      });
    });
    req.on('error', (err) => {
      if (err.message === 'timeout') run.timeouts++;
      else run.errors++;
      done();
    });
    req.end(spec.body);
  });
}

/**
 * Waits until one request of the scenario is answered below 500 in under 500 ms (at
 * most 30 s), so a backlog left by an overloaded run does not count against the next.
 * Answers how long that took.
 */
export async function settle(baseUrl: string, next: () => RequestSpec, timeoutMs = 30_000): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const spec = next();
    const t0 = performance.now();
    try {
      const res = await fetch(baseUrl + spec.path, { method: spec.method, headers: headersOf(spec), body: spec.body, signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer();
      if (res.status < 500 && performance.now() - t0 < 500) break;
    } catch {
      // no answer yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return performance.now() - started;
}
