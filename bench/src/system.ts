/** The system under test for one mode: fresh Kafka + database, then the four apps. */
import { APPS, AppProcess, Infra, startApp, startInfra } from '@shop/stack';
import { findPids, WatchedProcess } from './proc-stats';

/** A way of starting the same code: the environment every app gets. */
export interface Mode {
  name: string;
  what: string;
  env: Record<string, string>;
}

/**
 * `tuned` and `stock` are the comparison the issue asks for; the others move one lever
 * away from `tuned` to measure it alone.
 */
const TUNED = { KAFKA_PROFILE: 'tuned', KAFKA_PARTITIONS: '3' };

export const MODES: Record<string, Mode> = {
  tuned: { name: 'tuned', what: 'our settings: 3 partitions consumed concurrently, 100 ms fetch wait, coalesced sends', env: TUNED },
  stock: { name: 'stock', what: 'NestJS demo settings: 1 partition, kafkajs defaults', env: { KAFKA_PROFILE: 'stock', KAFKA_PARTITIONS: '1' } },
  'tuned-p1': { name: 'tuned-p1', what: 'tuned with 1 partition per topic', env: { ...TUNED, KAFKA_PARTITIONS: '1' } },
  'stock-p3': { name: 'stock-p3', what: 'stock consumer settings with 3 partitions (consumed one at a time)', env: { KAFKA_PROFILE: 'stock', KAFKA_PARTITIONS: '3' } },
  'tuned-warn': { name: 'tuned-warn', what: 'tuned with LOG_LEVEL=warn (no per-request log lines)', env: { ...TUNED, LOG_LEVEL: 'warn' } },
  'tuned-nobatch': { name: 'tuned-nobatch', what: 'tuned, one Produce request per message (KAFKA_BATCH_SENDS=off)', env: { ...TUNED, KAFKA_BATCH_SENDS: 'off' } },
  'tuned-replypattern': { name: 'tuned-replypattern', what: "tuned with NestJS's reply topic per pattern (KAFKA_REPLY_TOPICS=per-pattern)", env: { ...TUNED, KAFKA_REPLY_TOPICS: 'per-pattern' } },
  'tuned-inflight5': { name: 'tuned-inflight5', what: 'tuned, up to 5 coalesced Produce requests in flight (KAFKA_SENDS_IN_FLIGHT=5)', env: { ...TUNED, KAFKA_SENDS_IN_FLIGHT: '5' } },
  'tuned-acks1': { name: 'tuned-acks1', what: 'tuned, sends acknowledged by the leader only (KAFKA_ACKS=leader)', env: { ...TUNED, KAFKA_ACKS: 'leader' } },
  'tuned-gzip': { name: 'tuned-gzip', what: 'tuned, gzip-compressed batches (KAFKA_COMPRESSION=gzip)', env: { ...TUNED, KAFKA_COMPRESSION: 'gzip' } },
  'tuned-minbytes': {
    name: 'tuned-minbytes',
    what: 'tuned, fetches wait up to 5 ms for 16 KiB (KAFKA_FETCH_MIN_BYTES=16384, KAFKA_FETCH_MAX_WAIT_MS=5)',
    env: { ...TUNED, KAFKA_FETCH_MIN_BYTES: '16384', KAFKA_FETCH_MAX_WAIT_MS: '5' },
  },
  'tuned-wait5s': { name: 'tuned-wait5s', what: "tuned with kafkajs' 5 s fetch wait (KAFKA_FETCH_MAX_WAIT_MS=5000)", env: { ...TUNED, KAFKA_FETCH_MAX_WAIT_MS: '5000' } },
  ...heapCap(128),
  ...heapCap(160),
};

/** A mode with V8's old space capped at `mb` MB (for the RSS target). */
function heapCap(mb: number): Record<string, Mode> {
  const name = `tuned-heap${mb}`;
  return { [name]: { name, what: `tuned, V8 old space capped at ${mb} MB (NODE_OPTIONS=--max-old-space-size=${mb})`, env: { ...TUNED, NODE_OPTIONS: `--max-old-space-size=${mb}` } } };
}

export interface System {
  gatewayUrl: string;
  /** Where this stack's logs go (and --profile's CPU profiles). */
  logDir: string;
  apps: WatchedProcess[];
  /** Every process to watch: the four apps, Kafka and the database. */
  processes: WatchedProcess[];
  stop(): Promise<void>;
}

/**
 * Topics get their partition count when the first app creates them, so every mode
 * needs its own fresh infra; modes run one after the other, never side by side.
 */
export async function startSystem(mode: Mode, extraEnv: Record<string, string> = {}): Promise<System> {
  const infra: Infra = await startInfra({ name: `bench-${mode.name}`, fresh: true, useEnv: false });
  const apps: AppProcess[] = [];
  const stop = async () => {
    for (const app of apps.reverse()) await app.stop();
    await infra.stop();
  };
  try {
    for (const app of APPS) apps.push(await startApp(app, { infra, env: { ...mode.env, ...extraEnv }, name: app }));
    const watched = apps.map((a) => ({ name: a.name, pid: a.pid }));
    return { gatewayUrl: apps.find((a) => a.app === 'gateway')!.url, logDir: infra.logDir, apps: watched, processes: [...watched, ...infraProcesses(infra)], stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Kafka and the database are not handed out by @shop/stack; their command lines name the stack's data dir. */
function infraProcesses(infra: Infra): WatchedProcess[] {
  const dataDir = `.stack/data/${infra.name}/`;
  return [
    ...findPids(`${dataDir}config/server.properties`).map((pid) => ({ name: 'kafka', pid })),
    ...findPids(`${dataDir}ferretdb`).map((pid) => ({ name: 'ferretdb', pid })),
    ...findPids(`${dataDir}mongo`).map((pid) => ({ name: 'mongod', pid })),
  ];
}
