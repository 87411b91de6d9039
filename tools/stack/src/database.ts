import * as fs from 'node:fs';
import type { DatabaseServer } from './install';
import { acceptsConnections } from './ports';
import { ManagedProcess, ServerStartOptions, waitForProcess } from './processes';

/**
 * Which MongoDB-wire server a stack runs when it is asked for one: FerretDB on SQLite
 * (its files in the stack's data folder) or on a PostgreSQL cluster the stack starts.
 * Unasked, the stack takes a mongod on PATH, else FerretDB on PostgreSQL (install.ts, databaseFor).
 */
export const DATABASES = ['ferretdb-sqlite', 'ferretdb-postgresql'] as const;
export type Database = (typeof DATABASES)[number];

/** A --database value or STACK_DATABASE, checked; undefined when none was given. */
export function parseDatabase(value: string | undefined, from: string): Database | undefined {
  if (value === undefined || value === '') return undefined;
  if (!(DATABASES as readonly string[]).includes(value)) throw new Error(`${from} takes ${DATABASES.join(' or ')}, not "${value}"`);
  return value as Database;
}

/** Where a database server keeps its data: a folder, or (FerretDB) a PostgreSQL cluster. */
export type DatabaseStorage = { dir: string } | { postgresqlUrl: string };

export interface StartDatabaseOptions extends ServerStartOptions {
  server: DatabaseServer;
  storage: DatabaseStorage;
  port: number;
}

/** The command line of mongod or of our FerretDB launcher serving 127.0.0.1:port. */
export function databaseArgs(server: DatabaseServer['kind'], port: number, storage: DatabaseStorage): string[] {
  if ('postgresqlUrl' in storage) {
    if (server !== 'ferretdb') throw new Error('only FerretDB keeps its data in PostgreSQL');
    return ['-listen', `127.0.0.1:${port}`, '-handler', 'postgresql', '-postgresql-url', storage.postgresqlUrl];
  }
  return server === 'mongod'
    ? ['--dbpath', storage.dir, '--bind_ip', '127.0.0.1', '--port', String(port)]
    : ['-listen', `127.0.0.1:${port}`, '-sqlite-dir', storage.dir];
}

/** Starts mongod or FerretDB on 127.0.0.1:port; ready when the port accepts connections. */
export async function startDatabase(o: StartDatabaseOptions): Promise<ManagedProcess> {
  if ('dir' in o.storage) fs.mkdirSync(o.storage.dir, { recursive: true });
  const proc = new ManagedProcess(o.server.kind, o.server.bin, databaseArgs(o.server.kind, o.port, o.storage), o.logFile);
  o.onStart?.(proc.pid);
  try {
    await waitForProcess(o.server.kind, proc, () => acceptsConnections(o.port), o.timeoutMs ?? 60_000);
  } catch (err) {
    await proc.kill();
    throw err;
  }
  return proc;
}

export function mongoUriFor(port: number): string {
  return `mongodb://127.0.0.1:${port}/`;
}
