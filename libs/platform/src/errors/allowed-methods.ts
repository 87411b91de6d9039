import { METHODS } from 'node:http';

/** The parts of Express 5's router that tell which methods a path has. */
interface RouterLayer {
  route?: { _methods(): string[] };
  match(path: string): unknown;
}
interface RoutedRequest {
  method: string;
  path: string;
  app?: { router?: { stack?: RouterLayer[] } };
}

/**
 * The methods the app's routes answer at the request's path (HEAD with GET), read from
 * Express's router, when the request's method is not one of them; empty when no route
 * has this path or one has this method (then the 404 is the handler's own). Called only
 * on the way to a 404.
 */
export function allowedMethods(request: RoutedRequest): string[] {
  const allowed = new Set<string>();
  for (const layer of request.app?.router?.stack ?? []) {
    const methods = layer.route?._methods() ?? [];
    // Nest mounts path-bound middleware as a route of every method: not what the path answers.
    if (methods.length >= METHODS.length || !layer.match(request.path)) continue;
    methods.forEach((m) => allowed.add(m));
  }
  return allowed.has(request.method) ? [] : [...allowed].sort();
}
