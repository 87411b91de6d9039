import { AppName, AppProcess, clusterEnv, startApp, startInfra } from '@shop/stack';

export interface InfraRef {
  kafkaBrokers: string;
  mongoUri: string;
  stop(): Promise<void>;
}

/**
 * The servers the e2e run started (KAFKA_BROKERS / MONGO_URI from `npm run test:e2e`),
 * or, when a file is run on its own, a fresh pair started here.
 */
export async function useInfra(): Promise<InfraRef> {
  const { KAFKA_BROKERS, MONGO_URI } = process.env;
  if (KAFKA_BROKERS && MONGO_URI) return { kafkaBrokers: KAFKA_BROKERS, mongoUri: MONGO_URI, stop: async () => {} };
  return startInfra({ name: 'test-file', fresh: true });
}

export interface System {
  infra: InfraRef;
  gateways: AppProcess[];
  apps: Record<string, AppProcess[]>;
  /** Starts one more replica of `app` (ready when it resolves), stopped with the rest. */
  startReplica(app: AppName, name: string): Promise<AppProcess>;
  stop(): Promise<void>;
}

/** Starts the apps a test needs (replicas included) and waits until each is ready. */
export async function startSystem(options: { replicas?: Partial<Record<AppName, number>>; env?: Record<string, string>; infra?: InfraRef } = {}): Promise<System> {
  const infra = options.infra ?? (await useInfra());
  // On the runner's cluster (KAFKA_NODES=3 npm run test:e2e) the apps replicate their topics.
  const env = { ...(options.infra ? {} : clusterEnv(Number(process.env.KAFKA_NODES || 1))), ...options.env };
  const wanted: Record<AppName, number> = { 'user-service': 1, 'product-service': 1, 'order-service': 1, gateway: 1, ...options.replicas };
  const started: AppProcess[] = [];
  const launch = (app: AppName) =>
    Array.from({ length: wanted[app] }, (_, i) =>
      startApp(app, { infra, name: wanted[app] > 1 ? `${app}-${i + 1}` : app, env }).then((p) => (started.push(p), p)),
    );
  try {
    const services = await Promise.all((['user-service', 'product-service', 'order-service'] as const).flatMap(launch));
    const gateways = await Promise.all(launch('gateway'));
    const apps: Record<string, AppProcess[]> = {};
    for (const p of [...services, ...gateways]) (apps[p.app] ??= []).push(p);
    return {
      infra,
      gateways,
      apps,
      startReplica: async (app, name) => {
        const p = await startApp(app, { infra, name, env });
        started.push(p);
        (apps[app] ??= []).push(p);
        return p;
      },
      stop: async () => {
        await Promise.all(started.map((p) => p.stop()));
        await infra.stop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((p) => p.stop()));
    await infra.stop();
    throw error;
  }
}
