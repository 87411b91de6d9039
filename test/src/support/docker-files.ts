// Readers for the Docker path's files (docker-compose.yml, docker/Dockerfile), so that
// compose.spec.ts can check them without a Docker engine.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** Compiled to test/dist/support, so the repository root is three levels up. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..');

export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export function readRepoFile(...parts: string[]): string {
  return readFileSync(repoPath(...parts), 'utf8');
}

// ---------------------------------------------------------------- compose

export interface ComposeBuild {
  context?: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, unknown> | string[];
}

export interface ComposeService {
  image?: string;
  build?: string | ComposeBuild;
  environment?: Record<string, unknown> | string[];
  ports?: Array<string | number | Record<string, unknown>>;
  volumes?: Array<string | Record<string, unknown>>;
  depends_on?: string[] | Record<string, { condition?: string } | null>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses docker-compose.yml; throws a readable error when it is not a compose file with services. */
export function loadCompose(): ComposeFile {
  const parsed: unknown = parse(readRepoFile('docker-compose.yml'));
  if (!isRecord(parsed) || !isRecord(parsed.services)) {
    throw new Error('docker-compose.yml has no `services` map');
  }
  for (const [name, service] of Object.entries(parsed.services)) {
    if (!isRecord(service)) throw new Error(`service "${name}" is not a map`);
  }
  return parsed as unknown as ComposeFile;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `environment` as a map, whether written as a map or as a list of KEY=value. */
export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value == null ? '' : String(value)]));
}

/** Build args as a map, whether written as a map or as a list of KEY=value. */
export function buildArgsOf(build: ComposeBuild): Record<string, string> {
  return environmentOf({ environment: build.args });
}

export interface PublishedPort {
  written: string;
  hostIp?: string;
  published?: string;
  target: string;
}

/** Reads short (`[ip:]published:target[/proto]`) and long (`{ host_ip, published, target }`) syntax. */
export function publishedPorts(service: ComposeService): PublishedPort[] {
  return (service.ports ?? []).map((port) => {
    if (isRecord(port)) {
      return {
        written: JSON.stringify(port),
        hostIp: port.host_ip === undefined ? undefined : String(port.host_ip),
        published: port.published === undefined ? undefined : String(port.published),
        target: String(port.target),
      };
    }
    const written = String(port);
    const parts = written.replace(/\/(tcp|udp)$/, '').split(':');
    if (parts.length === 3) return { written, hostIp: parts[0], published: parts[1], target: parts[2] };
    if (parts.length === 2) return { written, published: parts[0], target: parts[1] };
    return { written, target: parts[0] };
  });
}

/** Splits `repo[:tag][@digest]` without mistaking a registry port for a tag. */
export function imageParts(image: string): { repository: string; tag?: string } {
  const withoutDigest = image.split('@')[0];
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > withoutDigest.lastIndexOf('/')) {
    return { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
  }
  return { repository: withoutDigest };
}

/** A tag that names a release (digits and a dot), never `latest` or a moving major. */
export function isPinnedTag(tag: string | undefined): boolean {
  return tag !== undefined && tag !== 'latest' && /\d+\.\d+/.test(tag);
}

// ---------------------------------------------------------------- Dockerfile

export interface DockerInstruction {
  keyword: string;
  args: string;
}

export interface DockerStage {
  /** What FROM names: an image or an earlier stage. */
  from: string;
  name?: string;
  instructions: DockerInstruction[];
}

/** Splits a Dockerfile into stages; joins continuation lines and drops comments. */
export function dockerfileStages(text: string): DockerStage[] {
  const instructions: DockerInstruction[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole === '') continue;
    const [keyword, ...rest] = whole.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
  }

  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const asAt = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ from: words[0], name: asAt === -1 ? undefined : words[asAt + 1], instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The stage and the earlier stages it is built FROM, nearest first. */
export function stageChain(stages: DockerStage[], stage: DockerStage): DockerStage[] {
  const chain = [stage];
  let current = stage;
  for (;;) {
    const parent = stages.find((candidate) => candidate.name !== undefined && candidate.name.toLowerCase() === current.from.toLowerCase());
    if (parent === undefined || chain.includes(parent)) return chain;
    chain.push(parent);
    current = parent;
  }
}

/** Paths a stage COPYs from the build context (COPY --from copies from another stage and is left out). */
export function contextCopies(stage: DockerStage): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === 'COPY' || instruction.keyword === 'ADD')
    .filter((instruction) => !/(^|\s)--from=/.test(instruction.args))
    .flatMap((instruction) => {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      return words.slice(0, -1);
    });
}

// ---------------------------------------------------------------- sources

/** The text of every non-test .ts file under the given repository folders (missing folders give nothing). */
export function typeScriptSourceText(...folders: string[]): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (entry !== 'node_modules' && entry !== 'dist') walk(path);
      } else if (entry.endsWith('.ts') && !entry.endsWith('.spec.ts') && !entry.endsWith('.d.ts')) {
        texts.push(readFileSync(path, 'utf8'));
      }
    }
  };
  for (const folder of folders) walk(repoPath(folder));
  return texts.join('\n');
}

export function containsWord(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_$])${escaped}($|[^A-Za-z0-9_$])`).test(text);
}

// ---------------------------------------------------------------- mounts and monitoring

export interface VolumeMount {
  /** A named volume, or a host path as written (./docker/...). */
  source: string;
  /** The path inside the container. */
  target: string;
  readOnly: boolean;
}

/** Reads short (`source:target[:ro]`) and long (`{ type, source, target, read_only }`) volume syntax. */
export function volumeMounts(service: ComposeService): VolumeMount[] {
  return (service.volumes ?? []).map((volume) => {
    if (isRecord(volume)) {
      return { source: String(volume.source ?? ''), target: String(volume.target ?? ''), readOnly: volume.read_only === true };
    }
    const [source, target = source, mode = ''] = String(volume).split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/** A host-path mount source (./x or /x), as opposed to a named volume. */
export function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/');
}

/** `host:port` of every static target of every scrape job in a Prometheus config. */
export function prometheusTargets(config: unknown): Array<{ job: string; target: string }> {
  const jobs = isRecord(config) && Array.isArray(config.scrape_configs) ? config.scrape_configs : [];
  return jobs.flatMap((job: unknown) =>
    isRecord(job) && Array.isArray(job.static_configs)
      ? job.static_configs.flatMap((group: unknown) =>
          isRecord(group) && Array.isArray(group.targets) ? group.targets.map((target: unknown) => ({ job: String(job.job_name), target: String(target) })) : [],
        )
      : [],
  );
}

/**
 * Names of the series that prom-client metric constructors in the given source text
 * export: `new Counter|Gauge({ name: '...' })` as written, `new Histogram` as
 * name_bucket / name_count / name_sum, `new Summary` as name / name_count / name_sum.
 */
export function promClientSeries(sources: string): Map<string, { metric: string; type: string }> {
  const series = new Map<string, { metric: string; type: string }>();
  // The object literal up to its `name:`, not crossing a statement end.
  const constructor = /new\s+(Histogram|Counter|Gauge|Summary)\s*(?:<[^>]*>)?\s*\(\s*\{[^;]*?\bname:\s*(['"`])([a-zA-Z_:][a-zA-Z0-9_:]*)\2/g;
  for (const match of sources.matchAll(constructor)) {
    const [, type, , metric] = match;
    const suffixes = type === 'Histogram' ? ['_bucket', '_count', '_sum'] : type === 'Summary' ? ['', '_count', '_sum'] : [''];
    for (const suffix of suffixes) series.set(metric + suffix, { metric, type });
  }
  return series;
}

// ---------------------------------------------------------------- PromQL

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'atan2', 'inf', 'nan']);

/** The expression with string literals, label matchers, ranges and grouping label lists emptied. */
function promqlSkeleton(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    // Grouping clauses go whole, so that `sum by (x) (...)` reads as the call `sum (...)`.
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ');
}

/** Identifiers of a PromQL expression: functions (followed by `(`) and metric names (every other bare identifier). */
export function promqlIdentifiers(expr: string): { functions: string[]; metrics: string[] } {
  const skeleton = promqlSkeleton(expr);
  const functions: string[] = [];
  const metrics: string[] = [];
  // Numbers and durations (0.99, 5m, 1e3) are consumed whole so that their letters are not read as names.
  for (const match of skeleton.matchAll(/\d[\w.]*|[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const token = match[0];
    if (/^\d/.test(token) || PROMQL_KEYWORDS.has(token.toLowerCase())) continue;
    const next = skeleton.slice((match.index ?? 0) + token.length).trimStart()[0];
    if (next === '(') functions.push(token);
    else metrics.push(token);
  }
  return { functions, metrics };
}
