import { waitUntil } from '@shop/stack';

/** One Prometheus text-format sample: name, labels, value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`);
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parseMetrics(await res.text());
}

/**
 * Waits until order-service (at `baseUrl`) has no order.create left to read or in hand, and
 * no stock release of a rejected order left unconfirmed: every order sent by then is
 * decided, and what the rejected ones reserved is back or on its way on product.stock.
 */
export async function untilOrderServiceIdle(baseUrl: string): Promise<void> {
  await waitUntil(async () => {
    const metrics = await scrape(baseUrl);
    if (!metrics.some((s) => s.name === 'order_releases_pending')) throw new Error(`${baseUrl}/metrics has no order_releases_pending`);
    return (
      valueOf(metrics, 'kafka_consumer_lag', { group: 'order-service-server', topic: 'order.create' }) === 0 &&
      valueOf(metrics, 'rpc_server_in_flight', { pattern: 'order.create' }) === 0 &&
      valueOf(metrics, 'order_releases_pending') === 0
    );
  }, 'order-service to finish every order.create and release', 60_000);
}
