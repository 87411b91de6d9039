import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { NodeSDK } from '@opentelemetry/sdk-node';

/** Probes and scrapes: answered many times a minute, and no one follows them as a call. */
const UNTRACED = /^\/(health\/|metrics)/;

/**
 * The OpenTelemetry Node SDK with the instrumentations that fit: incoming HTTP (the
 * gateway's calls, one server span each, named by its route by @shop/platform's HTTP
 * hook), and the MongoDB driver under mongoose (one span per command). The exporter and the sampler come from the
 * standard OTEL_* variables; metrics and logs have their own paths here (/metrics, pino).
 */
export function startSdk(): void {
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => UNTRACED.test(request.url ?? '') }),
      new MongoDBInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  // The batch of spans not yet exported goes out before the process ends.
  const stop = () => void sdk.shutdown().catch(() => undefined);
  process.once('beforeExit', stop);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependOnceListener(signal, stop);
}
