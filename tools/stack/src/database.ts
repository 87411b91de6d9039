import * as fs from 'node:fs';
import type { DatabaseServer } from './install';
import { acceptsConnections } from './ports';
import { ManagedProcess, ServerStartOptions, waitForProcess } from './processes';

export interface StartDatabaseOptions extends ServerStartOptions {
  server: DatabaseServer;
  /** Database files. */
  dir: string;
  port: number;
}

/** Starts mongod or FerretDB on 127.0.0.1:port; ready when the port accepts connections. */
export async function startDatabase(o: StartDatabaseOptions): Promise<ManagedProcess> {
  fs.mkdirSync(o.dir, { recursive: true });
  const args =
    o.server.kind === 'mongod'
      ? ['--dbpath', o.dir, '--bind_ip', '127.0.0.1', '--port', String(o.port)]
      : ['-listen', `127.0.0.1:${o.port}`, '-sqlite-dir', o.dir];
  const proc = new ManagedProcess(o.server.kind, o.server.bin, args, o.logFile);
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
