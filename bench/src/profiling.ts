/**
 * `--profile`: for each closed-loop run, a V8 CPU profile of every app (see
 * cpu-profiler.ts) and Kafka's CPU by thread, so "the gateway is saturated" comes with
 * where its time goes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLOCK_TICKS_PER_S, threadTicks, WatchedProcess } from './proc-stats';
import { CpuProfile, functionOf, selfTime, Share, threadGroup } from './profile-summary';
import { round } from './stats';

export interface RunProfile {
  /** Per app: self time by package and the busiest functions, in % of its busy time. */
  apps: Record<string, { byOwner: Share[]; functions: Share[] }>;
  /** Kafka's CPU cores by thread kind over the run. */
  kafkaThreads: { thread: string; cores: number }[];
}

/** NODE_OPTIONS and BENCH_PROFILE_DIR for apps that should answer SIGWINCH with profiles. */
export function profilingEnv(dir: string): Record<string, string> {
  const preload = path.join(__dirname, 'cpu-profiler.js');
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${preload}`.trim(), BENCH_PROFILE_DIR: dir };
}

export class RunProfiler {
  private runs = 0;
  private kafkaStart = new Map<string, number>();
  private startedAt = 0;

  constructor(
    private readonly apps: WatchedProcess[],
    private readonly kafka: WatchedProcess | undefined,
    private readonly dir: string,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.kafkaStart = this.kafka ? kafkaThreadTicks(this.kafka.pid) : new Map();
    for (const app of this.apps) process.kill(app.pid, 'SIGWINCH');
  }

  /** Stops the profilers, waits for their files, names them `<label>-<app>.cpuprofile` and summarizes them. */
  async stop(label: string): Promise<RunProfile> {
    for (const app of this.apps) process.kill(app.pid, 'SIGWINCH');
    const windowS = (performance.now() - this.startedAt) / 1000;
    const kafkaEnd = this.kafka ? kafkaThreadTicks(this.kafka.pid) : new Map<string, number>();
    this.runs++;

    const apps: RunProfile['apps'] = {};
    for (const app of this.apps) {
      const written = path.join(this.dir, `${app.pid}-${this.runs}.cpuprofile`);
      if (!(await appears(written, 10_000))) continue;
      const file = path.join(this.dir, `${label}-${app.name}.cpuprofile`);
      fs.renameSync(written, file);
      const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
      apps[app.name] = { byOwner: selfTime(profile), functions: selfTime(profile, functionOf, 10) };
    }
    const kafkaThreads = [...kafkaEnd.entries()]
      .map(([thread, ticks]) => ({ thread, cores: round((ticks - (this.kafkaStart.get(thread) ?? 0)) / CLOCK_TICKS_PER_S / windowS) }))
      .filter((t) => t.cores >= 0.01)
      .sort((a, b) => b.cores - a.cores);
    return { apps, kafkaThreads };
  }
}

function kafkaThreadTicks(pid: number): Map<string, number> {
  const grouped = new Map<string, number>();
  for (const [name, ticks] of threadTicks(pid)) grouped.set(threadGroup(name), (grouped.get(threadGroup(name)) ?? 0) + ticks);
  return grouped;
}

async function appears(file: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // The profiler writes the file in one call; a size that holds still means it is complete.
    if (fs.existsSync(file)) {
      const size = fs.statSync(file).size;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (size > 0 && fs.statSync(file).size === size) return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
