import { HEADERS } from '@shop/contracts';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { annotateActiveSpan } from '../tracing/tracing';
import { requestContext } from './request-context';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's X-Request-Id when it is sane, else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[HEADERS.REQUEST_ID];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/**
 * Every call's request id echoed in X-Request-Id and on its span, and made the context of
 * everything the call causes (log lines, Kafka headers). The context is entered in
 * preHandler, after the body is read: the body parser's stream callbacks would lose it.
 */
export function installRequestContext(instance: FastifyInstance): void {
  instance.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    annotateActiveSpan({ 'shop.request_id': request.id });
    done();
  });
  instance.addHook('preHandler', (request, _reply, done) => requestContext.run({ requestId: request.id }, done));
}
