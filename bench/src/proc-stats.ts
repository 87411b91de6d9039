/**
 * CPU time and memory of the processes under test, read from Linux's /proc while a
 * run is measured: CPU seconds over the window and the highest RSS seen.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { round } from './stats';

export interface WatchedProcess {
  name: string;
  pid: number;
  /** Counted with its children: PostgreSQL's work is done in the backends its postmaster forks. */
  withChildren?: boolean;
}

export interface ProcessUsage {
  name: string;
  /** CPU seconds (user + system, all threads) spent during the window. */
  cpuS: number;
  /** Cores kept busy on average: cpuS / window seconds (1 = one core saturated). */
  cores: number;
  peakRssMb: number;
}

/**
 * user + system clock ticks of /proc/<pid>/stat (fields 14 and 15); with `reaped`, also
 * those of the children it has waited for (cutime and cstime, 16 and 17), so that a
 * child's ticks stay counted when it exits.
 */
export function parseStatTicks(stat: string, reaped = false): number {
  // The command name (field 2) is in parentheses and may hold spaces or ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) is fields[11] and stime (15) fields[12].
  return Number(fields[11]) + Number(fields[12]) + (reaped ? Number(fields[13]) + Number(fields[14]) : 0);
}

/** VmRSS of /proc/<pid>/status, in kB; undefined for a zombie or kernel thread. */
export function parseRssKb(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** RssShmem of /proc/<pid>/status, in kB: shared memory (PostgreSQL's shared buffers), counted in every process that touched it. */
export function parseShmemKb(status: string): number {
  return Number(/^RssShmem:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? 0);
}

/**
 * The resident memory of a process and its children, in kB: each one's own, and the
 * shared memory once (the largest any of them holds), not once per process.
 */
export function treeRssKb(statuses: string[]): number | undefined {
  const known = statuses.filter((s) => parseRssKb(s) !== undefined);
  if (known.length === 0) return undefined;
  const shared = known.map(parseShmemKb);
  return known.reduce((sum, s, i) => sum + parseRssKb(s)! - shared[i], 0) + Math.max(...shared);
}

/** Busy and total ticks of the whole machine from the first line of /proc/stat. */
export function parseMachineTicks(procStat: string): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = procStat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + (steal || 0);
  return { busy, total: busy + idle + iowait };
}

/** The children of a (single-threaded) process, from /proc/<pid>/task/<pid>/children. */
function childrenOf(pid: number): number[] {
  return (readOrUndefined(`/proc/${pid}/task/${pid}/children`) ?? '').split(' ').filter(Boolean).map(Number);
}

export const CLOCK_TICKS_PER_S = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // the process is gone
  }
}

/**
 * Samples every `intervalMs` from start() to stop(); stop() answers each process's
 * usage and the machine's busy cores (which includes other people's work on a shared box).
 */
export class ProcessSampler {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly peakRssKb = new Map<number, number>();
  private machineStart = { busy: 0, total: 0 };
  private timer?: NodeJS.Timeout;
  private startedAt = 0;

  constructor(
    private readonly processes: readonly WatchedProcess[],
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    this.machineStart = parseMachineTicks(fs.readFileSync('/proc/stat', 'utf8'));
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): { processes: ProcessUsage[]; machineBusyCores: number; windowS: number } {
    clearInterval(this.timer);
    this.sample();
    const windowS = (performance.now() - this.startedAt) / 1000;
    const machine = parseMachineTicks(fs.readFileSync('/proc/stat', 'utf8'));
    const busyShare = (machine.busy - this.machineStart.busy) / Math.max(1, machine.total - this.machineStart.total);
    const processes = this.processes.map(({ name, pid }) => {
      const cpuS = ((this.last.get(pid) ?? 0) - (this.first.get(pid) ?? 0)) / CLOCK_TICKS_PER_S;
      return { name, cpuS: round(cpuS), cores: round(cpuS / windowS), peakRssMb: round((this.peakRssKb.get(pid) ?? 0) / 1024, 1) };
    });
    return { processes, machineBusyCores: round(busyShare * os.availableParallelism()), windowS: round(windowS) };
  }

  private sample(): void {
    for (const { pid, withChildren } of this.processes) {
      const stat = readOrUndefined(`/proc/${pid}/stat`);
      if (stat) {
        const children = withChildren ? childrenOf(pid).map((child) => readOrUndefined(`/proc/${child}/stat`) ?? '') : [];
        const ticks = [stat, ...children.filter(Boolean)].reduce((sum, s) => sum + parseStatTicks(s, withChildren), 0);
        if (!this.first.has(pid)) this.first.set(pid, ticks);
        this.last.set(pid, ticks);
      }
      const status = readOrUndefined(`/proc/${pid}/status`) ?? '';
      const rss = withChildren ? treeRssKb([status, ...childrenOf(pid).map((child) => readOrUndefined(`/proc/${child}/status`) ?? '')]) : parseRssKb(status);
      if (rss !== undefined) this.peakRssKb.set(pid, Math.max(rss, this.peakRssKb.get(pid) ?? 0));
    }
  }
}
