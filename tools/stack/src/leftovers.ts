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
  /** The command line it was started with: a pid reused by another program does not match. */
  cmdline: string;
}

/** Adds a started process to the stack's record. */
export function recordProcess(dataDir: string, name: string, pid: number): void {
  const cmdline = cmdlineOf(pid);
  if (cmdline === undefined) return; // already gone
  const file = path.join(dataDir, FILE);
  fs.writeFileSync(file, JSON.stringify([...readRecord(file).filter((r) => r.pid !== pid), { name, pid, cmdline }], null, 1));
}

/**
 * Stops what the last run of this stack left running (SIGTERM, then SIGKILL after 20 s),
 * and forgets the record. Returns what it stopped, for the log.
 */
export async function stopLeftovers(dataDir: string): Promise<string[]> {
  const file = path.join(dataDir, FILE);
  const alive = readRecord(file).filter((r) => cmdlineOf(r.pid) === r.cmdline);
  for (const r of alive) signal(r.pid, 'SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (alive.some((r) => cmdlineOf(r.pid) === r.cmdline) && Date.now() < deadline) await sleep(100);
  for (const r of alive) if (cmdlineOf(r.pid) === r.cmdline) signal(r.pid, 'SIGKILL');
  while (alive.some((r) => cmdlineOf(r.pid) === r.cmdline)) await sleep(50);
  fs.rmSync(file, { force: true });
  return alive.map((r) => `${r.name} (pid ${r.pid})`);
}

function readRecord(file: string): Recorded[] {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Recorded[];
  } catch {
    return [];
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
