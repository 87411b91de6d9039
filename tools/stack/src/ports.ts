import * as net from 'node:net';
import { portOwner } from './leftovers';

const handedOut = new Set<number>();

/**
 * Asks the OS for a free loopback port (listen on port 0, read it, close). Never hands
 * out the same port twice in one process, so parallel starts cannot collide.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await askOsForPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function askOsForPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing (on 127.0.0.1 or the wildcard address) holds the port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** True when a TCP connection to 127.0.0.1:port is accepted. */
export function acceptsConnections(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Throws a readable error, naming the process that holds it, when a port we are about to listen on is taken. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  if (!(await isPortFree(port))) {
    const owner = portOwner(port);
    const by = owner ? ` by pid ${owner.pid} (${owner.command.slice(0, 120)})` : '';
    throw new Error(`port ${port} for ${what} is already in use${by}`);
  }
}
