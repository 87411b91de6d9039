import type { FastifyInstance } from 'fastify';
import { METHODS } from 'node:http';

interface RoutedRequest {
  method: string;
  url: string;
  server: Pick<FastifyInstance, 'findRoute'>;
}

/**
 * The methods the app's routes answer at the request's path (HEAD with GET), asked of
 * Fastify's router, when the request's method is not one of them; empty when no route
 * has this path or one has this method (then the 404 is the handler's own). Called only
 * on the way to a 404. OPTIONS is left out: CORS answers it on every path when enabled.
 */
/** A request's path: its URL without the query (Fastify's request has no `path`). */
export function pathOf(request: { url: string }): string {
  return request.url.split('?', 1)[0];
}

export function allowedMethods(request: RoutedRequest): string[] {
  const path = pathOf(request);
  const allowed = METHODS.filter((method) => method !== 'OPTIONS' && request.server.findRoute({ method: method as 'GET', url: path }) !== null);
  return allowed.includes(request.method) ? [] : allowed;
}
