/**
 * The metrics every app has. What only one app can move (orders_total, order_releases_pending,
 * product_stock_low_events_total, product_view_*) is registered beside its code in that app, so
 * no other app's /metrics lists a series that is always 0 there.
 */
import { Counter, Gauge, Histogram } from 'prom-client';

/** Millisecond-scale RPC: 1 ms to 10 s. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How a call ended, as a metric label: few values, so dashboards can sum them. */
export type Outcome = 'ok' | 'client_error' | 'server_error' | 'timeout' | 'unavailable' | 'skipped' | 'dead_letter';

export function outcomeOf(statusCode: number | undefined, code?: string): Outcome {
  if (statusCode === undefined || statusCode < 400) return 'ok';
  if (code === 'RPC_TIMEOUT') return 'timeout';
  if (code === 'KAFKA_UNAVAILABLE') return 'unavailable';
  return statusCode < 500 ? 'client_error' : 'server_error';
}

export const httpDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests by method, route template and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
});

export const httpInFlight = new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being answered' });

export const rpcClientDuration = new Histogram({
  name: 'rpc_client_duration_seconds',
  help: 'Request-reply calls this app made, by pattern and outcome',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const rpcServerDuration = new Histogram({
  name: 'rpc_server_duration_seconds',
  help: 'Kafka messages this app handled, by pattern and outcome',
  labelNames: ['pattern', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
});

export const rpcServerInFlight = new Gauge({ name: 'rpc_server_in_flight', help: 'Kafka messages being handled', labelNames: ['pattern'] as const });

export const eventsPublished = new Counter({ name: 'kafka_events_published_total', help: 'Events (emits) published, by topic', labelNames: ['topic'] as const });

export const messagesConsumed = new Counter({ name: 'kafka_messages_consumed_total', help: 'Kafka messages consumed, by topic', labelNames: ['topic'] as const });
