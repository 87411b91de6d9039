import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from './processes';

/**
 * The processes a stack started, written to its data folder as they start, so that a
 * later start finds them when the stack process died without stopping them (SIGKILL):
 * its children run in process groups of their own and outlive it, holding their ports.
 */
const FILE = 'processes.json';
const GRACE_MS = 20_000;

interface Recorded {
  name: string;
  pid: number;
  /** Its command line and start time: a pid reused by another process matches neither both. */
  identity: string;
}

/** Adds a started process to the stack's record. */
export function recordProcess(dataDir: string, name: string, pid: number): void {
  const identity = identityOf(pid);
  if (identity === undefined) return; // already gone
  const file = path.join(dataDir, FILE);
  fs.writeFileSync(file, JSON.stringify([...readRecord(file).filter((r) => r.pid !== pid), { name, pid, identity }], null, 1));
}

/** Forgets the record (every process it names was stopped). */
export function forgetProcesses(dataDir: string): void {
  fs.rmSync(path.join(dataDir, FILE), { force: true });
}

/**
 * Stops what the last run of this stack left running (SIGTERM, then SIGKILL after 20 s),
 * and forgets the record. Returns what it stopped, for the log.
 */
export async function stopLeftovers(dataDir: string): Promise<string[]> {
  const alive = readRecord(path.join(dataDir, FILE)).filter(isStillThere);
  for (const r of alive) signal(r.pid, 'SIGTERM');
  await waitGone(alive, GRACE_MS);
  for (const r of alive.filter(isStillThere)) signal(r.pid, 'SIGKILL');
  await waitGone(alive, 5000);
  const stuck = alive.filter(isStillThere);
  if (stuck.length > 0) throw new Error(`could not stop what the last run left: ${stuck.map((r) => `${r.name} (pid ${r.pid})`).join(', ')}`);
  forgetProcesses(dataDir);
  return alive.map((r) => `${r.name} (pid ${r.pid})`);
}

async function waitGone(processes: Recorded[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (processes.some(isStillThere) && Date.now() < deadline) await sleep(100);
}

const isStillThere = (r: Recorded) => typeof r.identity === 'string' && identityOf(r.pid) === r.identity;

function readRecord(file: string): Recorded[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Recorded[];
  } catch {
    return [];
  }
}

/** The process's command line and start time (clock ticks after boot), or undefined when it does not run. */
function identityOf(pid: number): string | undefined {
  const cmdline = cmdlineOf(pid);
  if (cmdline === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name in parentheses (which may hold spaces); start time is field 22.
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return `${startTime} ${cmdline}`;
  } catch {
    return undefined;
  }
}

/** The process's command line, or undefined when it does not exist (or is a zombie, with none). */
export function cmdlineOf(pid: number): string | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

/**
 * The process listening on a TCP port, from /proc (Linux): the socket's inode in
 * /proc/net/tcp{,6}, then the process holding a descriptor to it. Undefined when it
 * cannot be told (another user's process, or not Linux).
 */
export function portOwner(port: number): { pid: number; command: string } | undefined {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is column 10.
      if (cols.length > 9 && cols[1].endsWith(`:${hex}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = fs.readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return { pid: Number(entry), command: cmdlineOf(Number(entry)) ?? '?' };
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}
