/**
 * @shop/telemetry: OpenTelemetry tracing, started before NestJS loads. Each app's main.ts
 * imports this first (`import '@shop/telemetry'`), so the http and mongodb
 * instrumentations patch those modules before anything requires them.
 *
 * Off unless OTEL_TRACES_EXPORTER names an exporter (`zipkin`, `otlp` or `console`): then
 * nothing is loaded and the API's calls in the apps are no-ops. Everything else is the
 * standard OTEL_* variables, read by the SDK: OTEL_TRACES_SAMPLER / _ARG (default
 * `parentbased_always_on`), OTEL_EXPORTER_ZIPKIN_ENDPOINT, OTEL_SERVICE_NAME (default: the
 * app's package name without its scope).
 *
 * The Kafka hops are traced by @shop/platform itself (`send <pattern>` / `handle <pattern>`
 * spans, W3C `traceparent` on every message), not by the kafkajs instrumentation:
 * docs/DECISIONS.md says why.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const TRACES_EXPORTER = 'OTEL_TRACES_EXPORTER';

/** True when OTEL_TRACES_EXPORTER asks for traces. */
export function tracingEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const exporters = (env[TRACES_EXPORTER] ?? '').split(',').map((e) => e.trim()).filter((e) => e && e !== 'none');
  return exporters.length > 0;
}

/** `@shop/gateway` -> `gateway`: the name of the package the process runs, from the nearest package.json of its main file. */
export function serviceNameOf(mainFile: string | undefined): string | undefined {
  let dir = mainFile ? dirname(mainFile) : undefined;
  while (dir && dir !== dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      return name?.replace(/^@[^/]+\//, '');
    }
    dir = dirname(dir);
  }
  return undefined;
}

function start(): void {
  if (!tracingEnabled()) return;
  process.env.OTEL_SERVICE_NAME ??= serviceNameOf(require.main?.filename) ?? 'shop';
  // Loaded only when on: the SDK and its instrumentations cost nothing when tracing is off.
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  startSdk();
}

start();
