import { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { ERROR_CODES, HEADERS } from '@shop/contracts';
import { annotateActiveSpan, requestContext } from '@shop/platform';
import type { NextFunction, Request, Response } from 'express';
import { json } from 'express';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import { GatewayConfig } from '../config';
import { BODY_LIMIT } from './api-errors';
import { createOpenApiDocument } from './openapi';

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

type WithId = Request & { id?: string };

/**
 * The gateway's HTTP edge, in order: security headers (helmet), CORS for the origins in
 * CORS_ORIGINS, a request id for every call (taken from
 * X-Request-Id when it is sane, else generated, and echoed), JSON bodies up to 1 MB,
 * body errors in the one error shape, then the request id as the context of
 * everything the call causes. Swagger UI at /docs, its JSON at /docs-json.
 */
export function configureHttp(app: INestApplication): void {
  const config = app.get(GatewayConfig);
  app.use(helmet());
  if (config.CORS_ORIGINS) {
    app.enableCors({ origin: config.CORS_ORIGINS === '*' ? '*' : config.CORS_ORIGINS.split(','), exposedHeaders: ['X-Request-Id', 'Retry-After', 'Location'] });
  }
  app.use((req: WithId, res: Response, next: NextFunction) => {
    const given = req.header(HEADERS.REQUEST_ID);
    req.id = given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    annotateActiveSpan({ 'shop.request_id': req.id });
    next();
  });
  app.use(json({ limit: BODY_LIMIT }));
  app.use((error: { type?: string; status?: number }, req: WithId, res: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      return res.status(413).json(body(413, ERROR_CODES.PAYLOAD_TOO_LARGE, `The body is larger than ${BODY_LIMIT}`, req));
    }
    if (error.type === 'entity.parse.failed') {
      return res.status(400).json(body(400, ERROR_CODES.MALFORMED_JSON, 'The body is not valid JSON', req));
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      return res.status(error.status).json(body(error.status, ERROR_CODES.VALIDATION_FAILED, 'The body could not be read', req));
    }
    next(error);
  });
  // Registered after the body parser: its stream callbacks would lose this context.
  app.use((req: WithId, _res: Response, next: NextFunction) => requestContext.run({ requestId: req.id! }, next));

  const document = createOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', swaggerOptions: { persistAuthorization: true } });
}

function body(statusCode: number, code: string, message: string, req: WithId) {
  return { statusCode, code, message, requestId: req.id };
}
