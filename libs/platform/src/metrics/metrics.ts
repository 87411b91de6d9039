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

export const ordersTotal = new Counter({ name: 'orders_total', help: 'Orders that reached a status', labelNames: ['status'] as const });

/** order-service's stock releases not yet confirmed by product-service (order-service/src/orders/stock-releases.ts). */
export const releasesPending = new Gauge({
  name: 'order_releases_pending',
  help: 'Stock releases of rejected orders that product-service has not confirmed yet (pending_releases); sent again until it does',
});

export const stockLowEvents = new Counter({ name: 'product_stock_low_events_total', help: 'product.stock-low events emitted' });

/** The gateway's product reads, by where the answer came from (gateway/src/products/product-view.ts). */
export const productViewReads = new Counter({
  name: 'product_view_reads_total',
  help: 'GET /api/products/:id, by where the answer came from: view (the gateway\'s copy of product.view), absent (not in it: asked product-service), behind (the view could not catch up in time: asked product-service)',
  labelNames: ['result'] as const,
});

export const productViewProducts = new Gauge({ name: 'product_view_products', help: 'Products the gateway holds in memory (product.view)' });
