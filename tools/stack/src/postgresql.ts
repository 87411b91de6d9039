/**
 * The private PostgreSQL cluster under FerretDB's postgresql backend: Debian's
 * `postgresql` package's binaries, one cluster per stack in its data folder, listening on
 * 127.0.0.1 and on a socket in that folder, run as an unprivileged user when we are root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ManagedProcess, run, ServerStartOptions, SpawnAs, waitForProcess } from './processes';

/** Where Debian's packages put each major version's binaries (`<root>/15/bin/postgres`). */
const POSTGRESQL_ROOT = '/usr/lib/postgresql';
const INSTALL_HINT = "install Debian's postgresql package (as root: apt-get install -y postgresql)";

/** The superuser initdb creates, and the role FerretDB connects as. */
const SUPERUSER = 'postgres';

export interface PostgresqlBinaries {
  /** Major version, "15". */
  version: string;
  /** Folder holding initdb and postgres. */
  bin: string;
}

/**
 * initdb and postgres of the newest PostgreSQL installed, or of `version` (a cluster's
 * PG_VERSION: its files are readable by that major version only).
 */
export function postgresqlBinaries(version?: string, root = POSTGRESQL_ROOT): PostgresqlBinaries {
  const installed = (fs.existsSync(root) ? fs.readdirSync(root) : [])
    .filter((v) => /^\d+$/.test(v) && ['initdb', 'postgres'].every((b) => fs.existsSync(path.join(root, v, 'bin', b))))
    .sort((a, b) => Number(b) - Number(a));
  if (installed.length === 0) throw new Error(`FerretDB's postgresql backend needs PostgreSQL's initdb and postgres, and ${root}/<version>/bin has none: ${INSTALL_HINT}`);
  if (version !== undefined && !installed.includes(version)) {
    throw new Error(`the stack's PostgreSQL cluster was made by PostgreSQL ${version}, and only ${installed.join(', ')} is installed: \`npm run reset\` deletes it (all the stack's data), or apt-get install -y postgresql-${version}`);
  }
  const chosen = version ?? installed[0];
  return { version: chosen, bin: path.join(root, chosen, 'bin') };
}

/** uid and gid of `name` in an /etc/passwd text, if it has that account. */
export function passwdEntry(passwd: string, name: string): { uid: number; gid: number } | undefined {
  for (const line of passwd.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && /^\d+$/.test(uid ?? '') && /^\d+$/.test(gid ?? '')) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * Who runs initdb and postgres: ourselves, or, when we are root (both refuse root),
 * the `postgres` account that Debian's package creates.
 */
export function postgresqlAccount(uid = process.getuid?.(), passwd = () => fs.readFileSync('/etc/passwd', 'utf8')): SpawnAs {
  if (uid !== 0) return {};
  const account = passwdEntry(passwd(), 'postgres');
  if (!account) throw new Error(`PostgreSQL refuses to run as root, and there is no "postgres" account to run it as: ${INSTALL_HINT}, which creates it`);
  return account;
}

/**
 * A cluster for one stack's FerretDB. Trust authentication: it listens on 127.0.0.1 and on
 * a socket only its owner may open, as the stack's mongod and FerretDB take no password
 * either. --no-sync: initdb's files need not reach the disk before the first start.
 */
export function initdbArgs(dir: string): string[] {
  return ['-D', dir, '-U', SUPERUSER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'];
}

/** The server's settings, on its command line so that a change takes effect at the next start, without a new cluster. */
export function postgresArgs(dir: string, port: number): string[] {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    unix_socket_permissions: '0700',
    // A commit answers before its WAL is flushed (a WAL writer flushes every 200 ms):
    // a killed server loses nothing, a power cut could lose the last commits, never
    // consistency. That is what the SQLite launcher's WAL with synchronous=normal
    // promises, so the two backends are compared at one durability. fsync stays on:
    // fsync=off could leave a corrupt cluster after a power cut, which SQLite's setting
    // cannot.
    synchronous_commit: 'off',
    // FerretDB 1.x sends `_jsonb->$1 @> $2` for `{_id: x}`: only a plan made with the
    // values can match it to ID_INDEXES' index; a cached generic plan scans the table.
    plan_cache_mode: 'force_custom_plan',
  };
  return ['-D', dir, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

/**
 * FerretDB's URL of the cluster: through its socket in the data folder (no TCP on the
 * way, and the folder names the stack in FerretDB's command line), into the `postgres`
 * database initdb made, where FerretDB keeps each MongoDB database as a schema.
 */
export function postgresqlUrl(dir: string, port: number): string {
  return `postgres://${SUPERUSER}@/postgres?host=${encodeURIComponent(dir)}&port=${port}`;
}

/** True once the postmaster `pid` wrote "ready" in its postmaster.pid (line 8), as pg_ctl waits for it. */
export function postmasterReady(pidFile: string, pid: number): boolean {
  let lines: string[];
  try {
    lines = fs.readFileSync(pidFile, 'utf8').split('\n');
  } catch {
    return false;
  }
  // Line 1 is the pid: a file a killed run left says "ready" too.
  return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
}

/**
 * An index FerretDB 1.x can use for `{_id: x}` on every collection, made when FerretDB
 * creates the collection's table (an event trigger) and for the tables already there.
 * FerretDB indexes `_id` with a btree on `_jsonb->'_id'`, but filters with the containment
 * operator `@>`, which only a GIN index serves: without this every read, update and
 * order by id scanned its whole collection (9 ms at 20,000 orders, and growing; 0.9 ms
 * with it). FerretDB/FerretDB#4646; FerretDB 2 no longer needs it. Without `fastupdate`: a
 * GIN index otherwise queues new entries in a pending list that every lookup scans, and
 * stock movements rewrite a product's row many times a second.
 */
export const ID_INDEXES = `
CREATE OR REPLACE FUNCTION shop_index_id(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl AND attname = '_jsonb' AND NOT attisdropped) THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin ((_jsonb -> %L)) WITH (fastupdate = off)', (SELECT relname FROM pg_class WHERE oid = tbl) || '_id_gin', tbl, '_id');
  END IF;
END $$;
CREATE OR REPLACE FUNCTION shop_index_new_tables() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE created record;
BEGIN
  FOR created IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND object_type = 'table' LOOP
    PERFORM shop_index_id(created.objid::regclass);
  END LOOP;
END $$;
DROP EVENT TRIGGER IF EXISTS shop_index_new_tables;
CREATE EVENT TRIGGER shop_index_new_tables ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION shop_index_new_tables();
SELECT count(shop_index_id(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg_toast%';
`;

export interface StartPostgresqlOptions extends ServerStartOptions {
  /** The cluster's folder: made with initdb when it holds none. */
  dir: string;
  port: number;
}

/**
 * Starts the stack's PostgreSQL on 127.0.0.1:port, creating its cluster first when `dir`
 * holds none; ready when it accepts connections. stop() asks for a fast shutdown (SIGINT:
 * clients are disconnected; SIGTERM would wait for FerretDB to leave).
 */
export async function startPostgresql(o: StartPostgresqlOptions): Promise<ManagedProcess> {
  const account = postgresqlAccount();
  const versionFile = path.join(o.dir, 'PG_VERSION');
  const binaries = postgresqlBinaries(fs.existsSync(versionFile) ? fs.readFileSync(versionFile, 'utf8').trim() : undefined);
  // Its own folder, mode 0700 and owned by whoever runs the server (the stack's folders are root's).
  const own = () => {
    fs.mkdirSync(o.dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(o.dir, 0o700);
    if (account.uid !== undefined) fs.chownSync(o.dir, account.uid, account.gid!);
  };
  if (!fs.existsSync(versionFile)) {
    fs.rmSync(o.dir, { recursive: true, force: true }); // what an initdb that was killed left
    own();
    await run(path.join(binaries.bin, 'initdb'), initdbArgs(o.dir), { ...account, cwd: o.dir, logFile: o.logFile });
  }
  own();
  const proc = new ManagedProcess('postgresql', path.join(binaries.bin, 'postgres'), postgresArgs(o.dir, o.port), o.logFile, { ...account, cwd: o.dir, stopSignal: 'SIGINT' });
  o.onStart?.(proc.pid);
  try {
    await waitForProcess('postgresql', proc, () => postmasterReady(path.join(o.dir, 'postmaster.pid'), proc.pid), o.timeoutMs ?? 60_000);
    await run(path.join(binaries.bin, 'psql'), ['-h', o.dir, '-p', String(o.port), '-U', SUPERUSER, '-d', 'postgres', '-q', '-v', 'ON_ERROR_STOP=1', '-c', ID_INDEXES], { ...account, cwd: o.dir, logFile: o.logFile });
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return proc;
}
