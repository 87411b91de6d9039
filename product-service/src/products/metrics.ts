/** product-service's own metrics: registered only where they can move, so no other app's /metrics lists them. */
import { Counter } from 'prom-client';

export const stockLowEvents = new Counter({ name: 'product_stock_low_events_total', help: 'product.stock-low events emitted' });
