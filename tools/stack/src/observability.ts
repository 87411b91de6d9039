import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { which } from './install';
import { CACHE_DIR, REPO_ROOT } from './paths';
import { assertPortFree } from './ports';
import { answers200, ManagedProcess, run, waitForProcess } from './processes';

/** Zipkin's server, a runnable jar from Maven Central (compose runs the image of the same version). */
export const ZIPKIN_VERSION = '3.6.1';
/** compose's Prometheus config and alert rules; the native one is made from them. */
const PROMETHEUS_CONFIG = path.join(REPO_ROOT, 'docker', 'prometheus', 'prometheus.yml');
export const ALERT_RULES = path.join(REPO_ROOT, 'docker', 'prometheus', 'alerts.yml');

export const OBSERVABILITY_PORTS = { zipkin: 9411, prometheus: 9090 };

/** The Zipkin jar in the stack cache, resolved with Maven the first time (like the Kafka jars). */
export async function installZipkin(opts: { quiet?: boolean } = {}): Promise<string> {
  const dir = path.join(CACHE_DIR, `zipkin-${ZIPKIN_VERSION}`);
  const jar = path.join(dir, `zipkin-server-${ZIPKIN_VERSION}-exec.jar`);
  if (fs.existsSync(jar)) {
    if (!opts.quiet) console.log(`[stack] zipkin ${ZIPKIN_VERSION}: cached in ${path.relative(REPO_ROOT, dir)}`);
    return jar;
  }
  console.log(`[stack] zipkin ${ZIPKIN_VERSION}: resolving the server jar with Maven ...`);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  await run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=io.zipkin:zipkin-server:${ZIPKIN_VERSION}:jar:exec`, `-DoutputDirectory=${tmp}`], { logFile: path.join(tmp, 'maven.log') });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir); // atomic: a half-downloaded jar never looks installed
  return jar;
}

/** Debian's prometheus (and promtool beside it), or why there is none. */
export function prometheusBinary(): string {
  const bin = which('prometheus');
  if (!bin) throw new Error('prometheus is not on PATH: install Debian\'s package (as root: apt-get install -y prometheus; its service need not run), as .ci/run does');
  return bin;
}

/**
 * compose's Prometheus config for the native stack: the same scrape settings and alert
 * rules, the apps' targets on loopback at their native ports.
 */
export function nativePrometheusConfig(appPorts: Record<string, number>): string {
  const config = parse(fs.readFileSync(PROMETHEUS_CONFIG, 'utf8')) as {
    rule_files?: string[];
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };
  for (const job of config.scrape_configs) {
    for (const group of job.static_configs) {
      group.targets = group.targets.map((target) => {
        const app = target.split(':')[0];
        if (!(app in appPorts)) throw new Error(`${PROMETHEUS_CONFIG} scrapes ${target}, which is not an app of the native stack`);
        return `127.0.0.1:${appPorts[app]}`;
      });
    }
  }
  config.rule_files = (config.rule_files ?? []).map((file) => path.join(path.dirname(ALERT_RULES), path.basename(file)));
  return `# Made by tools/stack from ${path.relative(REPO_ROOT, PROMETHEUS_CONFIG)}; do not edit.\n${stringify(config)}`;
}

export interface Observability {
  zipkinUrl: string;
  prometheusUrl: string;
  /** What the apps need to send their traces to this Zipkin. */
  appEnv: Record<string, string>;
  /** Waits until both answer. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Zipkin (in memory) and Prometheus (with compose's rules), on loopback. Returns at once;
 * `ready()` waits for them (Zipkin's JVM takes about 16 s, so the apps start meanwhile).
 */
export async function startObservability(o: {
  dataDir: string;
  logDir: string;
  appPorts: Record<string, number>;
  ports?: { zipkin?: number; prometheus?: number };
  record?: (name: string, pid: number) => void;
}): Promise<Observability> {
  const zipkinPort = o.ports?.zipkin ?? OBSERVABILITY_PORTS.zipkin;
  const prometheusPort = o.ports?.prometheus ?? OBSERVABILITY_PORTS.prometheus;
  await assertPortFree(prometheusPort, 'Prometheus (PROMETHEUS_PORT)');
  const prometheus = prometheusBinary();

  const zipkin = await startZipkin({ port: zipkinPort, logFile: path.join(o.logDir, 'zipkin.log'), record: o.record });
  const configFile = path.join(o.dataDir, 'prometheus', 'prometheus.yml');
  fs.mkdirSync(path.dirname(configFile), { recursive: true });
  fs.writeFileSync(configFile, nativePrometheusConfig(o.appPorts));
  const prom = new ManagedProcess(
    'prometheus',
    prometheus,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(o.dataDir, 'prometheus', 'data')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`],
    path.join(o.logDir, 'prometheus.log'),
  );
  o.record?.('prometheus', prom.pid);

  const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  return {
    zipkinUrl: zipkin.url,
    prometheusUrl,
    appEnv: zipkin.appEnv,
    ready: async () => {
      await Promise.all([zipkin.ready(), waitForProcess('prometheus', prom, () => answers200(`${prometheusUrl}/-/ready`), 60_000, 200)]);
    },
    stop: async () => {
      await Promise.all([zipkin.stop(), prom.stop(10_000)]);
    },
  };
}

export interface Zipkin {
  url: string;
  pid: number;
  /** What the apps need to send their traces here. */
  appEnv: Record<string, string>;
  ready(): Promise<void>;
  stop(): Promise<void>;
}

/** Zipkin's server on loopback, spans in memory (the benchmark's traced mode starts one too). */
export async function startZipkin(o: { port: number; logFile: string; record?: (name: string, pid: number) => void }): Promise<Zipkin> {
  await assertPortFree(o.port, 'Zipkin (ZIPKIN_PORT)');
  const jar = await installZipkin({ quiet: true });
  const proc = new ManagedProcess('zipkin', 'java', ['-Xms64m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-jar', jar], o.logFile, {
    // Loopback only: Spring binds a list from the environment whole, so the port entry is spelled out.
    env: { ...process.env, ARMERIA_PORTS_0_PORT: String(o.port), ARMERIA_PORTS_0_IP: '127.0.0.1', ARMERIA_PORTS_0_PROTOCOLS_0: 'http', STORAGE_TYPE: 'mem' },
  });
  o.record?.('zipkin', proc.pid);
  const url = `http://127.0.0.1:${o.port}`;
  return {
    url,
    pid: proc.pid,
    appEnv: { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${url}/api/v2/spans` },
    ready: () => waitForProcess('zipkin', proc, () => answers200(`${url}/health`), 120_000, 500),
    stop: () => proc.stop(10_000),
  };
}
