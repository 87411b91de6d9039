/** The gateway's metrics of its copy of product.view (./product-view.ts): registered only in the gateway. */
import { Counter, Gauge } from 'prom-client';

/** The gateway's product reads, by where the answer came from. */
export const productViewReads = new Counter({
  name: 'product_view_reads_total',
  help: "GET /api/products/:id, by where the answer came from: view (the gateway's copy of product.view), absent (not in it: asked product-service), behind (the view could not catch up in time: asked product-service)",
  labelNames: ['result'] as const,
});

export const productViewProducts = new Gauge({ name: 'product_view_products', help: 'Products the gateway holds in memory (product.view)' });
