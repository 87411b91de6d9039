import { freePort } from '@shop/stack';
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

/** The README's run command (`npm start` is build + `tools/stack up`) for a stack of its own, on free ports. */
export interface StackCli {
  name: string;
  ports: { kafka: number; controller: number; mongo: number; gateway: number; users: number; products: number; orders: number; zipkin: number; prometheus: number };
  dataDir: string;
  /** Starts `up`; resolves with the running command once it prints "up in N s" (rejects when it exits first). */
  up(): Promise<RunningCli>;
  /** Starts `up` and resolves when it exits, with its output (for starts that must fail). */
  upExpectingFailure(): Promise<{ code: number | null; output: string }>;
  /** The processes of this stack: an environment naming one of its ports (the apps) or a command line naming its data folder. */
  processes(): number[];
  gatewayUrl: string;
}

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

/** `args`: after `up`, e.g. `--observability` (Zipkin and Prometheus get free ports too). */
export async function stackCli(label: string, args: string[] = []): Promise<StackCli> {
  const [kafka, controller, mongo, gateway, users, products, orders, zipkin, prometheus] = await Promise.all(Array.from({ length: 9 }, () => freePort()));
  const ports = { kafka, controller, mongo, gateway, users, products, orders, zipkin, prometheus };
  const name = `${label}-${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STACK_NAME: name,
    KAFKA_PORT: String(kafka),
    KAFKA_CONTROLLER_PORT: String(controller),
    MONGO_PORT: String(mongo),
    GATEWAY_PORT: String(gateway),
    USER_SERVICE_PORT: String(users),
    PRODUCT_SERVICE_PORT: String(products),
    ORDER_SERVICE_PORT: String(orders),
    ZIPKIN_PORT: String(zipkin),
    PROMETHEUS_PORT: String(prometheus),
  };
  delete env.KAFKA_BROKERS; // start its own servers, as on a fresh machine
  delete env.MONGO_URI;
  delete env.NODE_TEST_CONTEXT;
  const dataDir = join(REPO_ROOT, '.stack', 'data', name);

  const launch = (): RunningCli => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'tools/stack/dist/cli.js'), 'up', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    return { child, output: () => output, exited };
  };

  return {
    name,
    ports,
    dataDir,
    gatewayUrl: `http://127.0.0.1:${gateway}`,
    async up() {
      const run = launch();
      await new Promise<void>((resolveUp, reject) => {
        const check = () => {
          if (/\[stack\] up in [\d.]+ s/.test(run.output())) return resolveUp();
          if (run.child.exitCode !== null) return reject(new Error(`npm start exited early:\n${run.output()}`));
          setTimeout(check, 100);
        };
        check();
      });
      return run;
    },
    async upExpectingFailure() {
      const run = launch();
      const code = await run.exited;
      return { code, output: run.output() };
    },
    processes: () => stackProcesses(Object.values(ports), dataDir),
  };
}

function stackProcesses(ports: number[], dataDir: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (cmdline.includes(dataDir) || ports.some((p) => environ.includes(`PORT=${p}`))) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
