// The Docker monitoring path, checked statically (no Docker engine runs where this is
// tested): the Grafana dashboard docker/grafana/dashboards/shop.json queries only
// metrics the apps export, through the provisioned Prometheus datasource; Grafana's
// provisioning and compose mounts agree; Prometheus scrapes every app on its PORT.
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import {
  buildArgsOf,
  ComposeBuild,
  ComposeService,
  environmentOf,
  imageParts,
  isHostPath,
  isRecord,
  loadCompose,
  prometheusTargets,
  promClientSeries,
  promqlIdentifiers,
  publishedPorts,
  readRepoFile,
  repoPath,
  typeScriptSourceText,
  volumeMounts,
} from './support/docker-files';

const APPS = ['gateway', 'user-service', 'product-service', 'order-service'];
const DASHBOARD = 'docker/grafana/dashboards/shop.json';
const DATASOURCES = 'docker/grafana/provisioning/datasources/prometheus.yml';
const PROVIDERS = 'docker/grafana/provisioning/dashboards/dashboards.yml';
const PROMETHEUS = 'docker/prometheus/prometheus.yml';
/** Where the metrics are declared (new Histogram/Counter/Gauge({ name })): the ones every app has, and each app's own. */
const METRIC_SOURCES = ['libs/platform/src', 'gateway/src', 'user-service/src', 'product-service/src', 'order-service/src'];

/**
 * prom-client's collectDefaultMetrics() series the dashboard may use. They come from the
 * library, not from our sources, so they are listed here; add one when a panel needs it.
 */
const PROM_CLIENT_DEFAULTS = [
  'process_cpu_seconds_total',
  'process_resident_memory_bytes',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
];

/** PromQL functions and aggregations the dashboard may call; extend when a query needs another. */
const PROMQL_FUNCTIONS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'topk', 'bottomk', 'quantile', 'count_values', 'group', 'stddev', 'stdvar',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'resets', 'changes',
  'histogram_quantile', 'abs', 'ceil', 'floor', 'round', 'clamp', 'clamp_min', 'clamp_max', 'scalar', 'vector', 'absent', 'time',
  'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'last_over_time',
  'label_replace', 'label_join', 'sort', 'sort_desc',
]);

// ---------------------------------------------------------------- readers

interface Target {
  expr?: unknown;
  datasource?: unknown;
  refId?: unknown;
}

interface Panel {
  id?: unknown;
  type?: unknown;
  title?: unknown;
  datasource?: unknown;
  gridPos?: { x?: unknown; y?: unknown; w?: unknown; h?: unknown };
  targets?: Target[];
  panels?: Panel[];
}

function dashboard(): Record<string, unknown> {
  const parsed: unknown = JSON.parse(readRepoFile(DASHBOARD));
  assert.ok(isRecord(parsed), `${DASHBOARD} is not a JSON object`);
  return parsed;
}

/** Every panel, including those inside (collapsed) rows. */
function allPanels(): Panel[] {
  const top = dashboard().panels;
  assert.ok(Array.isArray(top), `${DASHBOARD} has no panels array`);
  const walk = (panels: Panel[]): Panel[] => panels.flatMap((panel) => [panel, ...walk(Array.isArray(panel.panels) ? panel.panels : [])]);
  return walk(top as Panel[]);
}

/** Panels that show data (rows only group them). */
function dataPanels(): Panel[] {
  return allPanels().filter((panel) => panel.type !== 'row');
}

function exprs(): Array<{ panel: string; expr: string }> {
  return dataPanels().flatMap((panel) =>
    (panel.targets ?? []).filter((target) => typeof target.expr === 'string').map((target) => ({ panel: String(panel.title), expr: target.expr as string })),
  );
}

function yamlFile(path: string): Record<string, unknown> {
  const parsed: unknown = parse(readRepoFile(path));
  assert.ok(isRecord(parsed), `${path} is not a YAML map`);
  return parsed;
}

function provisionedDatasource(): Record<string, unknown> {
  const list = yamlFile(DATASOURCES).datasources;
  assert.ok(Array.isArray(list), `${DATASOURCES} has no datasources list`);
  const prometheus = list.filter((entry: unknown) => isRecord(entry) && entry.type === 'prometheus');
  assert.equal(prometheus.length, 1, `${DATASOURCES} must provision exactly one Prometheus datasource`);
  return prometheus[0] as Record<string, unknown>;
}

/** The one compose service running the given image repository. */
function serviceRunning(repository: string): [string, ComposeService] {
  const found = Object.entries(loadCompose().services).filter(([, service]) => service.image !== undefined && imageParts(service.image).repository === repository);
  assert.equal(found.length, 1, `expected exactly one compose service running ${repository}, found ${found.map(([name]) => name).join(', ') || 'none'}`);
  return found[0];
}

/** The repository path a container path of the service comes from, through its host-path mounts (longest match wins). */
function hostPathOf(service: ComposeService, containerPath: string): string | undefined {
  const mounts = volumeMounts(service)
    .filter((mount) => isHostPath(mount.source))
    .filter((mount) => containerPath === mount.target || containerPath.startsWith(mount.target.replace(/\/$/, '') + '/'))
    .sort((a, b) => b.target.length - a.target.length);
  if (mounts.length === 0) return undefined;
  return posix.join(mounts[0].source, posix.relative(mounts[0].target, containerPath));
}

/** Where Grafana reads provisioning files (GF_PATHS_PROVISIONING, else the image default). */
function grafanaProvisioningPath(grafana: ComposeService): string {
  return environmentOf(grafana).GF_PATHS_PROVISIONING ?? '/etc/grafana/provisioning';
}

function appServices(): Array<{ name: string; app: string; port: string | undefined }> {
  return Object.entries(loadCompose().services)
    .filter(([, service]) => isRecord(service.build))
    .map(([name, service]) => ({ name, app: buildArgsOf(service.build as ComposeBuild).APP, port: environmentOf(service).PORT }));
}

// ---------------------------------------------------------------- dashboard

describe('Grafana dashboard docker/grafana/dashboards/shop.json', () => {
  it('parses as JSON with a fixed uid, a title and panels', () => {
    const board = dashboard();
    assert.match(String(board.uid ?? ''), /^[A-Za-z0-9_-]{1,40}$/, 'the dashboard needs a fixed uid (1-40 letters, digits, - or _) so its URL does not change between provisionings');
    assert.ok(typeof board.title === 'string' && board.title.trim() !== '', 'the dashboard needs a title');
    assert.ok(dataPanels().length > 0, 'the dashboard has no panels that show data');
  });

  it('gives every panel a unique id, a title and a place on the 24-column grid', () => {
    const seen = new Set<unknown>();
    for (const panel of allPanels()) {
      assert.ok(typeof panel.title === 'string' && panel.title.trim() !== '', `panel ${String(panel.id)} has no title`);
      assert.ok(Number.isInteger(panel.id), `panel "${String(panel.title)}" has no integer id`);
      assert.ok(!seen.has(panel.id), `panel id ${String(panel.id)} is used twice (again by "${String(panel.title)}")`);
      seen.add(panel.id);
      const { x, y, w, h } = panel.gridPos ?? {};
      assert.ok([x, y, w, h].every(Number.isInteger), `panel "${String(panel.title)}" needs a gridPos with integer x, y, w, h`);
      assert.ok((x as number) >= 0 && (w as number) > 0 && (x as number) + (w as number) <= 24, `panel "${String(panel.title)}" does not fit the 24 columns (x=${String(x)}, w=${String(w)})`);
    }
  });

  it('gives every panel that shows data at least one query with an expr', () => {
    for (const panel of dataPanels()) {
      const targets = Array.isArray(panel.targets) ? panel.targets : [];
      assert.ok(
        targets.some((target) => typeof target.expr === 'string' && target.expr.trim() !== ''),
        `panel "${String(panel.title)}" has no target with a PromQL expr`,
      );
      const refIds = targets.map((target) => target.refId);
      assert.equal(new Set(refIds).size, refIds.length, `panel "${String(panel.title)}" repeats a refId (${refIds.join(', ')})`);
    }
  });

  it('queries only metrics the apps export (prom-client constructors in libs/platform and the apps, plus the default metrics)', () => {
    const declared = promClientSeries(typeScriptSourceText(...METRIC_SOURCES));
    assert.ok(declared.size > 0, `found no new Histogram/Counter/Gauge({ name: ... }) under ${METRIC_SOURCES.join(', ')}; the check would have nothing to compare with`);
    const exported = new Set([...declared.keys(), ...PROM_CLIENT_DEFAULTS]);
    for (const { panel, expr } of exprs()) {
      const { metrics } = promqlIdentifiers(expr);
      assert.ok(metrics.length > 0, `panel "${panel}": found no metric name in ${expr}`);
      for (const metric of metrics) {
        const base = metric.replace(/_(bucket|count|sum)$/, '');
        const hint = declared.get(base)?.type === 'Histogram' ? `; ${base} is a histogram: use ${base}_bucket, _count or _sum` : '';
        assert.ok(exported.has(metric), `panel "${panel}" queries ${metric}, which no app exports${hint}\n  expr: ${expr}`);
      }
    }
  });

  it('computes every percentile with histogram_quantile over _bucket rates kept apart by le', () => {
    const percentiles = exprs().filter(({ expr }) => expr.includes('histogram_quantile'));
    assert.ok(percentiles.length > 0, 'the dashboard shows no latency percentile');
    for (const { panel, expr } of percentiles) {
      assert.match(expr, /histogram_quantile\s*\(\s*0?\.\d+\s*,/, `panel "${panel}": histogram_quantile needs a quantile between 0 and 1 first\n  expr: ${expr}`);
      assert.match(expr, /\bby\s*\([^)]*\ble\b[^)]*\)/, `panel "${panel}": aggregate by (le, ...) or the buckets are summed away\n  expr: ${expr}`);
      assert.ok(promqlIdentifiers(expr).metrics.every((metric) => metric.endsWith('_bucket')), `panel "${panel}": histogram_quantile reads _bucket series only\n  expr: ${expr}`);
      assert.match(expr, /\brate\s*\([^()]*_bucket\{?[^}]*\}?\[/, `panel "${panel}": take the rate of the buckets, not their running totals\n  expr: ${expr}`);
    }
  });

  it('calls only PromQL functions and aggregations that Prometheus has', () => {
    for (const { panel, expr } of exprs()) {
      for (const fn of promqlIdentifiers(expr).functions) {
        assert.ok(PROMQL_FUNCTIONS.has(fn), `panel "${panel}" calls ${fn}(), which is no PromQL function this test knows\n  expr: ${expr}`);
      }
    }
  });

  it('charts request rate, 5xx, 4xx and p50/p95/p99 by route and by pattern, RPC timeouts, lag, event loop, memory, orders, stock-low and events', () => {
    const all = exprs().map(({ expr }) => expr.replace(/\s+/g, ' '));
    const some = (what: string, test: (expr: string) => boolean): void => {
      assert.ok(all.some(test), `no panel shows ${what}`);
    };
    const quantile = (q: string, metric: string, by: string) => (expr: string) =>
      new RegExp(`histogram_quantile\\(${q.replace('.', '\\.')},.*by \\([^)]*\\b${by}\\b`).test(expr) && expr.includes(`${metric}_bucket`);
    some('the gateway request rate', (expr) => expr.includes('http_request_duration_seconds_count') && !expr.includes('status'));
    some('gateway 5xx', (expr) => expr.includes('http_request_duration_seconds_count') && /status=~?"5/.test(expr));
    some('gateway 4xx', (expr) => expr.includes('http_request_duration_seconds_count') && /status=~?"4/.test(expr));
    for (const [metric, by] of [['http_request_duration_seconds', 'route'], ['rpc_server_duration_seconds', 'pattern'], ['rpc_client_duration_seconds', 'pattern']]) {
      for (const q of ['0.5', '0.95', '0.99']) some(`p${Number(q) * 100} of ${metric} by ${by}`, quantile(q, metric, by));
      some(`the rate of ${metric}`, (expr) => expr.includes(`${metric}_count`) && !expr.includes('outcome') && !expr.includes('status'));
    }
    for (const metric of ['rpc_server_duration_seconds', 'rpc_client_duration_seconds']) {
      some(`server errors of ${metric}`, (expr) => expr.includes(`${metric}_count`) && expr.includes('server_error'));
      some(`client errors of ${metric}`, (expr) => expr.includes(`${metric}_count`) && expr.includes('client_error'));
    }
    some('RPC timeouts', (expr) => expr.includes('rpc_client_duration_seconds_count') && expr.includes('outcome="timeout"'));
    some('consumer lag by group and topic', (expr) => expr.includes('kafka_consumer_lag') && /by \(group, topic\)/.test(expr));
    some('event-loop lag p99 per app', (expr) => expr.includes('nodejs_eventloop_lag_p99_seconds') && /by \(service\)/.test(expr));
    some('RSS memory per app', (expr) => expr.includes('process_resident_memory_bytes') && /by \(service\)/.test(expr));
    some('orders by status', (expr) => /rate\(orders_total/.test(expr) && /by \(status\)/.test(expr));
    some('stock-low events', (expr) => expr.includes('product_stock_low_events_total'));
    some('events published per topic', (expr) => expr.includes('kafka_events_published_total') && /by \(topic\)/.test(expr));
    some('messages consumed per topic', (expr) => expr.includes('kafka_messages_consumed_total') && /by \(topic\)/.test(expr));
  });
});

// ---------------------------------------------------------------- provisioning

describe('Grafana provisioning and its compose mounts', () => {
  it('provisions one Prometheus datasource with a fixed uid, at the compose prometheus service', () => {
    const datasource = provisionedDatasource();
    assert.match(String(datasource.uid ?? ''), /^[A-Za-z0-9_-]{1,40}$/, `${DATASOURCES} must give the datasource a fixed uid for the dashboard to refer to`);
    const [name, prometheus] = serviceRunning('prom/prometheus');
    const url = new URL(String(datasource.url));
    const port = publishedPorts(prometheus)[0]?.target ?? '9090';
    assert.equal(url.hostname, name, `${DATASOURCES} points at ${url.hostname}; on the compose network Prometheus is "${name}"`);
    assert.equal(url.port, port, `${DATASOURCES} points at port ${url.port}; Prometheus listens on ${port}`);
  });

  it('refers every panel and query to the provisioned datasource by its uid', () => {
    const { uid, type } = provisionedDatasource();
    let references = 0;
    for (const panel of dataPanels()) {
      for (const [where, ref] of [['panel', panel.datasource] as const, ...(panel.targets ?? []).map((target) => [`query ${String(target.refId)}`, target.datasource] as const)]) {
        if (ref === undefined) continue;
        assert.ok(isRecord(ref), `panel "${String(panel.title)}", ${where}: write the datasource as { "type", "uid" }, not by name (${JSON.stringify(ref)})`);
        assert.equal(ref.uid, uid, `panel "${String(panel.title)}", ${where}: datasource uid "${String(ref.uid)}" is not the provisioned "${String(uid)}"`);
        assert.equal(ref.type, type, `panel "${String(panel.title)}", ${where}: datasource type "${String(ref.type)}" is not "${String(type)}"`);
        references += 1;
      }
      assert.ok(panel.datasource !== undefined, `panel "${String(panel.title)}" names no datasource; it would fall back to whatever the default is`);
    }
    assert.ok(references > 0, 'no panel refers to a datasource');
  });

  it('mounts docker/grafana/provisioning where Grafana reads provisioning, read-only', () => {
    const [name, grafana] = serviceRunning('grafana/grafana');
    const path = grafanaProvisioningPath(grafana);
    for (const [file, inside] of [[DATASOURCES, 'datasources/prometheus.yml'], [PROVIDERS, 'dashboards/dashboards.yml']]) {
      const source = hostPathOf(grafana, posix.join(path, inside));
      assert.ok(source, `service "${name}" mounts nothing at ${path}, so Grafana never reads ${file}`);
      assert.equal(posix.normalize(source), file, `service "${name}" shows ${posix.join(path, inside)} from ${source}, not from ${file}`);
    }
    const mount = volumeMounts(grafana).find((candidate) => candidate.target === path);
    assert.ok(mount?.readOnly, `service "${name}" should mount ${path} read-only (:ro)`);
  });

  it('points the dashboards file provider at the folder compose mounts docker/grafana/dashboards on', () => {
    const providers = yamlFile(PROVIDERS).providers;
    assert.ok(Array.isArray(providers) && providers.length > 0, `${PROVIDERS} has no providers`);
    const files = providers.filter((provider: unknown) => isRecord(provider) && provider.type === 'file') as Array<Record<string, unknown>>;
    assert.ok(files.length > 0, `${PROVIDERS} has no provider of type: file`);
    const [name, grafana] = serviceRunning('grafana/grafana');
    const folder = posix.dirname(DASHBOARD);
    const served: string[] = [];
    for (const provider of files) {
      const path = isRecord(provider.options) ? String(provider.options.path ?? '') : '';
      assert.ok(path.startsWith('/'), `provider "${String(provider.name)}" in ${PROVIDERS} needs an absolute options.path; it has "${path}"`);
      const source = hostPathOf(grafana, path);
      assert.ok(source, `provider "${String(provider.name)}" reads ${path}, but service "${name}" mounts nothing there`);
      assert.ok(existsSync(repoPath(source)) && statSync(repoPath(source)).isDirectory(), `provider "${String(provider.name)}" reads ${path}, mounted from ${source}, which is no folder of the repository`);
      served.push(posix.normalize(source));
    }
    assert.ok(served.includes(folder), `no dashboards provider reads ${folder} (they read ${served.join(', ')}), so ${DASHBOARD} is never loaded`);
  });

  it('opens on a home dashboard that one of the mounts provides, if one is set', () => {
    const [name, grafana] = serviceRunning('grafana/grafana');
    const home = environmentOf(grafana).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home === undefined) return;
    const source = hostPathOf(grafana, home);
    assert.ok(source && existsSync(repoPath(source)), `service "${name}" sets GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH=${home}, which no mount of a repository file provides`);
  });
});

// ---------------------------------------------------------------- prometheus

describe('Prometheus docker/prometheus/prometheus.yml', () => {
  it('is the file compose mounts where the Prometheus image reads its config', () => {
    const [name, prometheus] = serviceRunning('prom/prometheus');
    const source = hostPathOf(prometheus, '/etc/prometheus/prometheus.yml');
    assert.equal(source && posix.normalize(source), PROMETHEUS, `service "${name}" must mount ${PROMETHEUS} at /etc/prometheus/prometheus.yml`);
  });

  it('scrapes each of the four apps at its compose service name and the port its PORT says', () => {
    const targets = prometheusTargets(yamlFile(PROMETHEUS)).map(({ target }) => target);
    const apps = appServices();
    assert.deepEqual(apps.map(({ app }) => app).sort(), [...APPS].sort(), 'compose must build exactly the four apps');
    for (const { name, port } of apps) {
      assert.match(port ?? '', /^\d+$/, `service "${name}" sets no numeric PORT`);
      assert.ok(targets.includes(`${name}:${port}`), `${PROMETHEUS} does not scrape ${name}:${port} (it scrapes ${targets.join(', ') || 'nothing'})`);
    }
  });

  it('scrapes the apps every 5 seconds at /metrics', () => {
    const config = yamlFile(PROMETHEUS);
    const globalInterval = isRecord(config.global) ? config.global.scrape_interval : undefined;
    const jobs = (Array.isArray(config.scrape_configs) ? config.scrape_configs : []) as Array<Record<string, unknown>>;
    const appTargets = new Set(appServices().map(({ name, port }) => `${name}:${port}`));
    const appJobs = jobs.filter((job) => prometheusTargets({ scrape_configs: [job] }).some(({ target }) => appTargets.has(target)));
    assert.ok(appJobs.length > 0, `${PROMETHEUS} has no job scraping the apps`);
    for (const job of appJobs) {
      assert.equal(job.scrape_interval ?? globalInterval, '5s', `job "${String(job.job_name)}" scrapes every ${String(job.scrape_interval ?? globalInterval ?? '1m (default)')}; the dashboard expects 5s`);
      assert.equal(job.metrics_path ?? '/metrics', '/metrics', `job "${String(job.job_name)}" scrapes ${String(job.metrics_path)}; the apps answer on /metrics`);
      assert.equal(job.scheme ?? 'http', 'http', `job "${String(job.job_name)}" uses ${String(job.scheme)}; the apps speak plain http`);
    }
  });
});

