import { DynamicModule, INestApplicationContext } from '@nestjs/common';
import { LoggerModule, Params, PARAMS_PROVIDER_TOKEN } from 'nestjs-pino';
import pino, { Logger, LoggerOptions } from 'pino';
import PinoPretty from 'pino-pretty';
import { AppConfig } from '../config/app.config';
import { requestContext } from '../context/request-context';
import { ServiceInfo } from '../service-info';
import { traceIds } from '../tracing/tracing';

/**
 * JSON lines, one per event, each with `service`, `instance` and the `requestId` of
 * the HTTP call or Kafka message being handled (and its `traceId` and `spanId` when tracing).
 * The HTTP access line is written by `installAccessLog`, not by pino-http's middleware: the
 * module serves the logger to Nest.
 */
export function loggerModule(config: AppConfig, info: ServiceInfo): DynamicModule {
  const options: LoggerOptions = {
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
  };
  const pretty = (config.LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty';
  // Pretty output is written synchronously: a crash at boot still shows its last words.
  const logger = pretty ? pino(options, PinoPretty({ sync: true, singleLine: true, translateTime: 'HH:MM:ss.l' })) : pino(options);
  // One logger for Nest's lines and the access lines; pino-http's middleware on no route.
  return LoggerModule.forRoot({ pinoHttp: { logger }, forRoutes: [] });
}

/** The root logger `loggerModule` made for the app: access lines go straight to it, with no serializers of pino-http's. */
export function rootLoggerOf(app: INestApplicationContext): Logger {
  return (app.get<Params>(PARAMS_PROVIDER_TOKEN).pinoHttp as { logger: Logger }).logger;
}
