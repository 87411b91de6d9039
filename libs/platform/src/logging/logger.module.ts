import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Options } from 'pino-http';
import PinoPretty from 'pino-pretty';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app.config';
import { requestContext } from '../context/request-context';
import { ServiceInfo } from '../service-info';
import { traceIds } from '../tracing/tracing';

const QUIET_ROUTES = /^\/(health|metrics)(\/|$|\?)/;

/**
 * JSON lines, one per event, each with `service`, `instance` and the `requestId` of
 * the HTTP call or Kafka message being handled (and its `traceId` and `spanId` when tracing). Health and metrics are kept out of
 * the access log; the access line names method and URL, not headers (credentials stay out).
 */
export function loggerModule(config: AppConfig, info: ServiceInfo): DynamicModule {
  const options: Options = {
    level: config.LOG_LEVEL,
    base: { service: info.name, instance: info.instance },
    messageKey: 'msg',
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    mixin: () => {
      const requestId = requestContext.requestId();
      return { ...(requestId && { requestId }), ...traceIds() };
    },
    redact: {
      paths: ['*.password', '*.passwordHash'],
      censor: '[redacted]',
    },
    genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
    autoLogging: { ignore: (req: IncomingMessage) => QUIET_ROUTES.test(req.url ?? '') },
    // The access line is written after the response, outside the request's context: name the id here.
    customSuccessObject: (req: IncomingMessage, _res: ServerResponse, value: object) => ({ ...value, requestId: (req as IncomingMessage & { id?: string }).id }),
    customErrorObject: (req: IncomingMessage, _res: ServerResponse, _error: Error, value: object) => ({ ...value, requestId: (req as IncomingMessage & { id?: string }).id }),
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse, ms: number) => `${req.method} ${req.url} answered ${res.statusCode} in ${Math.round(ms)} ms`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${req.url} failed with ${res.statusCode}`,
    serializers: {
      // No headers: they carry credentials, and serialising and redacting them took about
      // 2 % of the gateway's CPU on product reads (a CPU profile). The request id ties a line to the rest.
      req: (req: { method: string; url: string }) => ({ method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  const pretty = (config.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  // Pretty output is written synchronously: a crash at boot still shows its last words.
  return LoggerModule.forRoot({ pinoHttp: pretty ? [options, PinoPretty({ sync: true, singleLine: true, translateTime: 'HH:MM:ss.l' })] : options });
}
