import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { ERROR_CODES } from '@shop/contracts';
import { ShopError } from '@shop/platform';
import { GatewayConfig } from '../config';
import { createOpenApiDocument } from './openapi';

/**
 * The gateway's HTTP edge on top of the platform's (request id, context, metrics), in
 * order: security headers (helmet), CORS for the origins in CORS_ORIGINS, and JSON bodies
 * up to BODY_LIMIT (the Fastify option set in main.ts). Swagger UI at /docs, its JSON at
 * /docs-json.
 */
export async function configureHttp(app: NestFastifyApplication): Promise<void> {
  const config = app.get(GatewayConfig);
  const fastify = app.getHttpAdapter().getInstance();
  // helmet's defaults, its middleware made once: @fastify/helmet made it again for every
  // request, parsing the Content-Security-Policy each time (6 % of the gateway's CPU on
  // product reads, a CPU profile).
  const securityHeaders = helmet();
  fastify.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  if (config.CORS_ORIGINS) {
    app.enableCors({
      origin: config.CORS_ORIGINS === '*' ? '*' : config.CORS_ORIGINS.split(','),
      // @fastify/cors allows GET, HEAD and POST unless told (Express's cors allowed these);
      // not strict: an OPTIONS without Origin or a requested method is answered 204 too.
      methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'],
      strictPreflight: false,
      exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location'],
      // On onRequest, Nest's adapter runs it ahead of every hook of ours: a preflight went
      // without request id, security headers, access line and metric. preParsing comes
      // after those hooks and, as onRequest did, before the body is read, so that a body
      // the gateway refuses (400, 413, 415) carries the CORS headers a browser needs to read it.
      hook: 'preParsing',
    });
  }
  // JSON only (Fastify also reads text/plain by default): any other body is 415. An empty
  // body is no body whatever its Content-Type (a DELETE sent with application/json, a
  // fetch that says text/plain), and bad JSON is MALFORMED_JSON in the one error shape; too
  // large is Fastify's own 413, mapped by the filter.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    parseJson(request, String(body), (error, value) => (error ? done(new ShopError(400, ERROR_CODES.MALFORMED_JSON, 'The body is not valid JSON')) : done(null, value)));
  });
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    done(new ShopError(415, ERROR_CODES.UNSUPPORTED_MEDIA_TYPE, 'The body must be JSON (Content-Type: application/json)'));
  });

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
}
