import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What starting a server of the stack takes besides its own settings. */
export interface ServerStartOptions {
  /** Its stdout and stderr. */
  logFile: string;
  /** How long it may take to be ready. */
  timeoutMs?: number;
  /** Told the pid as soon as the process runs (before it is ready). */
  onStart?: (pid: number) => void;
}

/** Who a child runs as: PostgreSQL refuses to run as root. */
export interface SpawnAs {
  uid?: number;
  gid?: number;
}

/**
 * A child process whose stdout+stderr are appended to a log file.
 *
 * Every ManagedProcess is tracked: when this Node process exits (normally, on an
 * uncaught error, or on SIGINT/SIGTERM/SIGHUP without a handler of its own) all tracked
 * children still running are killed, so nothing is left behind.
 *
 * Children run in their own process group (detached), so a Ctrl-C in the terminal
 * reaches only us and we can stop them in order. They are unref'd: a forgotten child
 * does not keep this process alive (it is killed on exit instead).
 */
export class ManagedProcess {
  readonly child: ChildProcess;
  /** Resolves once the process has exited (or failed to spawn). */
  readonly exited: Promise<void>;
  /** Human-readable exit reason, set once exited. */
  exitReason: string | undefined;
  /** Byte offset in the log file where this run's output starts. */
  private readonly logStart: number;
  /** What stop() sends first. */
  private readonly stopSignal: NodeJS.Signals;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    readonly logFile: string,
    opts: SpawnAs & { cwd?: string; env?: NodeJS.ProcessEnv; stopSignal?: NodeJS.Signals } = {},
  ) {
    this.stopSignal = opts.stopSignal ?? 'SIGTERM';
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    this.logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} start ${name}: ${command} ${args.join(' ')}\n`);

    const fd = fs.openSync(logFile, 'a');
    try {
      this.child = spawn(command, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['ignore', fd, fd],
        detached: true,
        uid: opts.uid,
        gid: opts.gid,
      });
    } finally {
      fs.closeSync(fd); // the child holds its own copy
    }
    this.child.unref();

    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      this.child.once('error', (err) => {
        this.exitReason = `failed to start: ${err.message}`;
        fs.appendFileSync(logFile, `${this.exitReason}\n`);
        resolve();
      });
    });
    tracked.add(this);
    void this.exited.then(() => tracked.delete(this));
    installExitHooks();
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitReason === undefined;
  }

  /** This run's output so far (earlier runs appended to the same file are skipped). */
  readLog(): string {
    try {
      const buf = fs.readFileSync(this.logFile);
      return buf.subarray(this.logStart).toString('utf8');
    } catch {
      return '';
    }
  }

  /** The last `lines` lines of this run's output. */
  tail(lines = 40): string {
    return this.readLog().trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** SIGTERM (or the stopSignal it was given), then SIGKILL after graceMs; resolves when the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.ref(); // keep us alive until it is gone
    this.signal(this.stopSignal);
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** SIGKILL; resolves when the process has exited. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.ref();
    this.signal('SIGKILL');
    await this.exited;
  }

  private signal(sig: NodeJS.Signals): void {
    try {
      this.child.kill(sig);
    } catch {
      // already gone
    }
  }
}

const tracked = new Set<ManagedProcess>();
let hooksInstalled = false;

/** Kills every tracked child still running (synchronous, safe in an 'exit' handler). */
export function killAllTracked(): void {
  for (const p of tracked) {
    if (p.running) {
      try {
        p.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // Runs on normal exit, process.exit() and uncaught exceptions/rejections.
  process.on('exit', killAllTracked);
  const signals: Array<[NodeJS.Signals, number]> = [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]];
  for (const [sig, num] of signals) {
    process.on(sig, function onSignal() {
      // Someone else (the CLI, the test runner) handles this signal with an orderly
      // shutdown; we only act when we are the only listener, like the default would.
      if (process.listenerCount(sig) > 1) return;
      killAllTracked();
      process.exit(128 + num);
    });
  }
}

/** Polls `check` every intervalMs until it returns true; fails naming `what` when timeoutMs passes. */
export async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** waitUntil for a process to be ready: fails with its last 40 log lines when it exits first or timeoutMs passes. */
export async function waitForProcess(what: string, proc: ManagedProcess, check: () => Promise<boolean> | boolean, timeoutMs = 60_000, intervalMs = 200): Promise<void> {
  const alive = () => {
    if (!proc.running) throw new Error(`${proc.name} ${proc.exitReason} before it was ready`);
    return check();
  };
  try {
    await waitUntil(alive, `${proc.name} to be ready`, timeoutMs, intervalMs);
  } catch (error) {
    throw new Error(`${what}: ${error instanceof Error ? error.message : String(error)}. Last lines of ${proc.logFile}:\n${proc.tail(40)}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a command to completion with inherited output; rejects on a non-zero exit. */
export function run(command: string, args: string[], opts: SpawnAs & { cwd?: string; logFile?: string } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const fd = opts.logFile ? fs.openSync(opts.logFile, 'a') : undefined;
    const child = spawn(command, args, {
      cwd: opts.cwd,
      stdio: ['ignore', fd ?? 'inherit', fd ?? 'inherit'],
      uid: opts.uid,
      gid: opts.gid,
    });
    if (fd !== undefined) fs.closeSync(fd);
    child.once('error', (err) => reject(new Error(`${command}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        const output = opts.logFile ? `; last lines of ${opts.logFile}:\n${tailOf(opts.logFile, 20)}` : '';
        reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})${output}`));
      }
    });
  });
}

function tailOf(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** True when GET url answers 200 within a second: a server's health or readiness probe. */
export async function answers200(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}
