import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from './database';
import { CACHE_DIR, REPO_ROOT } from './paths';
import { postgresqlBinaries } from './postgresql';
import { run } from './processes';

const KAFKA_POM = path.join(REPO_ROOT, 'tools', 'stack', 'kafka', 'pom.xml');
const FERRETDB_SRC = path.join(REPO_ROOT, 'tools', 'stack', 'ferretdb');

/** The MongoDB-wire server the stack runs: a local mongod, or our FerretDB build. */
export type DatabaseServer = { kind: 'mongod' | 'ferretdb'; bin: string };

export interface Installed {
  kafkaVersion: string;
  /** Folder with every jar Kafka needs (classpath `<kafkaLibs>/*`). */
  kafkaLibs: string;
  database: DatabaseServer;
}

/** The Kafka version pinned in tools/stack/kafka/pom.xml. */
export function kafkaVersion(): string {
  const pom = fs.readFileSync(KAFKA_POM, 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match) throw new Error(`no <kafka.version> in ${KAFKA_POM}`);
  return match[1];
}

function launcherHash(): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(fs.readFileSync(path.join(FERRETDB_SRC, file)));
  return hash.digest('hex').slice(0, 8);
}

/** The FerretDB version pinned in tools/stack/ferretdb/go.mod. */
export function ferretdbVersion(): string {
  const gomod = fs.readFileSync(path.join(FERRETDB_SRC, 'go.mod'), 'utf8');
  const match = /github\.com\/FerretDB\/FerretDB v(\S+)/.exec(gomod);
  if (!match) throw new Error(`no FerretDB requirement in ${FERRETDB_SRC}/go.mod`);
  return match[1];
}

/** An executable named `name` on PATH, if any. */
export function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The database a stack runs when none is asked for: a mongod on PATH, else FerretDB on
 * PostgreSQL, which answered 4-13 times faster than FerretDB on SQLite at 10,000
 * documents (docs/DECISIONS.md, "FerretDB on PostgreSQL, measured").
 */
export function databaseFor(asked: Database | undefined): Database | undefined {
  return asked ?? (which('mongod') ? undefined : 'ferretdb-postgresql');
}

/**
 * Makes sure the Kafka jars and a database server are available. Idempotent: when
 * everything is cached it only checks two files. `quiet` silences the "already
 * there" lines (work in progress is always announced); `kafka: false` leaves the Kafka
 * jars out (the medium tests need the database alone, and no Maven); `database` asks for
 * FerretDB whether or not there is a mongod (on PostgreSQL: checks its binaries too).
 */
export async function install(opts: { quiet?: boolean; kafka?: boolean; database?: Database } = {}): Promise<Installed> {
  const database = databaseFor(opts.database);
  const say = (msg: string) => console.log(`[stack] ${msg}`);
  const note = opts.quiet ? () => undefined : say;

  // Kafka broker jars, resolved from Maven Central by the pinned pom.
  const version = kafkaVersion();
  // Named by the pom too, so a jar added to it (kafka-tools) resolves again.
  const pomHash = createHash('sha256').update(fs.readFileSync(KAFKA_POM)).digest('hex').slice(0, 8);
  const kafkaHome = path.join(CACHE_DIR, `kafka-${version}-${pomHash}`);
  const kafkaLibs = path.join(kafkaHome, 'libs');
  const kafkaMarker = path.join(kafkaHome, '.complete');
  const kafkaNeeded = opts.kafka !== false;
  if (kafkaNeeded && fs.existsSync(kafkaMarker)) {
    note(`kafka ${version}: jars cached in ${path.relative(REPO_ROOT, kafkaLibs)}`);
  } else if (kafkaNeeded) {
    say(`kafka ${version}: resolving jars with Maven ...`);
    const started = Date.now();
    fs.rmSync(kafkaHome, { recursive: true, force: true });
    fs.mkdirSync(kafkaHome, { recursive: true });
    await run(
      'mvn',
      ['-q', '-B', '-f', KAFKA_POM, 'dependency:copy-dependencies', `-DoutputDirectory=${kafkaLibs}`, '-DincludeScope=runtime'],
      { logFile: path.join(kafkaHome, 'maven.log') },
    );
    fs.writeFileSync(kafkaMarker, `${new Date().toISOString()}\n`);
    say(`kafka ${version}: jars ready (${seconds(started)} s)`);
  }

  // Database: a local mongod when there is one and no FerretDB was asked for, else FerretDB built from source.
  if (database === 'ferretdb-postgresql') {
    const postgresql = postgresqlBinaries();
    note(`database: FerretDB on PostgreSQL ${postgresql.version} (${postgresql.bin})`);
  }
  const mongod = database ? undefined : which('mongod');
  if (mongod) {
    note(`database: using ${mongod}`);
    return { kafkaVersion: version, kafkaLibs, database: { kind: 'mongod', bin: mongod } };
  }
  // Named by the launcher's sources too, so a change to them builds a new binary.
  const bin = path.join(CACHE_DIR, 'bin', `ferretdb-${ferretdbVersion()}-${launcherHash()}`);
  const why = opts.database ? `${opts.database} asked for` : `no mongod on PATH: ${database}`;
  if (fs.existsSync(bin)) {
    note(`database: ${why}, using FerretDB ${path.relative(REPO_ROOT, bin)}`);
  } else {
    say(`database: ${why}, building FerretDB ${ferretdbVersion()} with Go (about a minute the first time) ...`);
    const started = Date.now();
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    const tmp = `${bin}.tmp-${process.pid}`;
    await run('go', ['build', '-buildvcs=false', '-o', tmp, '.'], { cwd: FERRETDB_SRC, logFile: `${bin}.build.log` });
    fs.renameSync(tmp, bin); // atomic: a half-built binary never looks installed
    say(`database: FerretDB built (${seconds(started)} s)`);
  }
  return { kafkaVersion: version, kafkaLibs, database: { kind: 'ferretdb', bin } };
}

export function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}
