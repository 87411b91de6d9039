/** order-service's own metrics: registered only where they can move, so no other app's /metrics lists them. */
import { Counter, Gauge } from 'prom-client';

export const ordersTotal = new Counter({ name: 'orders_total', help: 'Orders that reached a status', labelNames: ['status'] as const });

/** Stock releases not yet confirmed by product-service (./stock-releases.ts). */
export const releasesPending = new Gauge({
  name: 'order_releases_pending',
  help: 'Stock releases of rejected orders that product-service has not confirmed yet (pending_releases, or held in the process while the database is away); sent again until it does',
});
