import type { FastifyInstance } from 'fastify';
import { annotateActiveSpan, nameActiveSpan } from '../tracing/tracing';
import { httpDuration, httpInFlight } from './metrics';

/**
 * Times every HTTP call by its route template (`/api/users/:id`, not the id); a call
 * no route matched counts as `unmatched`. With tracing on, the same template names the call's server span.
 */
export function installHttpMetrics(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    const end = httpDuration.startTimer();
    httpInFlight.inc();
    const route = request.routeOptions.url;
    if (route !== undefined) {
      nameActiveSpan(`${request.method} ${route}`);
      annotateActiveSpan({ 'http.route': route });
    }
    // 'close' comes once for every response, answered or abandoned by the client.
    reply.raw.once('close', () => {
      httpInFlight.dec();
      // A call whose client left before the answer was written counts as `aborted`.
      end({ method: request.method, route: route ?? 'unmatched', status: reply.raw.writableFinished ? String(reply.raw.statusCode) : 'aborted' });
    });
    done();
  });
}
