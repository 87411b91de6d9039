import { INestApplication, Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ERROR_CODES } from '@shop/contracts';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppConfig } from './config/app.config';
import { waitForDatabase } from './database.module';
import { KafkaServerRef } from './health/kafka.health';
import { KAFKA_SETTINGS, KafkaSettings } from './kafka/kafka.settings';
import { ShopKafkaServer } from './kafka/shop-kafka.server';
import { ensureTopics } from './kafka/topics';
import { installRequestContext, requestIdOf } from './context/request-ids';
import { installHttpMetrics } from './metrics/http-metrics';
import { installAccessLog } from './logging/access-log';
import { rootLoggerOf } from './logging/logger.module';

/**
 * Boots an app: JSON logger, topics ensured, then (for services) the Kafka server
 * consuming the app's patterns, then HTTP on Fastify, with a request id, its context and
 * metrics for every call. `configure` adds what only that app has (the gateway's HTTP
 * edge and Swagger) before it listens.
 */
export function bootstrap(
  module: Type<unknown>,
  options: BootstrapOptions,
): void {
  start(module, options).catch((error: unknown) => {
    console.error(JSON.stringify({ level: 60, time: new Date().toISOString(), msg: `Boot failed: ${error instanceof Error ? error.stack : String(error)}` }));
    process.exit(1);
  });
}

interface BootstrapOptions {
  consumesRequests: boolean;
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  nestOptions?: Record<string, unknown>;
  /** Fastify's own options (the gateway's body limit). */
  fastify?: FastifyServerOptions;
}

/**
 * kafkajs lets some failures of its background work go unhandled when a broker of a
 * cluster dies (a connection's retries exhausted while the client moves to the new
 * leader), and Node would end the process for it. Those are logged and the clients go on
 * (they reconnect by themselves); any other unhandled rejection still ends the process.
 */
export function survivesKafkaFailovers(log: (error: unknown) => void): (reason: unknown) => void {
  return (reason) => {
    if (isKafkaJsError(reason)) return log(reason);
    console.error(JSON.stringify({ level: 60, time: new Date().toISOString(), msg: `Unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}` }));
    process.exit(1);
  };
}

function isKafkaJsError(reason: unknown): boolean {
  return reason instanceof Error && reason.name.startsWith('KafkaJS');
}

async function start(
  module: Type<unknown>,
  options: BootstrapOptions,
): Promise<INestApplication> {
  const adapter = new FastifyAdapter({
    genReqId: requestIdOf,
    requestIdHeader: false,
    // As Express did: /api/products/ is /api/products.
    routerOptions: { ignoreTrailingSlash: true },
    // A URL the router cannot decode, or a path parameter over 100 characters: the one
    // error shape with the request id, not Fastify's own body.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.status(400).header('X-Request-Id', request.id).send({ statusCode: 400, code: ERROR_CODES.VALIDATION_FAILED, message: `The URL could not be read: ${error.message}`, requestId: request.id });
    },
    ...options.fastify,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, { bufferLogs: true, abortOnError: false, ...options.nestOptions });
  app.useLogger(app.get(Logger));
  const kafkaLog = new NestLogger('Kafka');
  process.on('unhandledRejection', survivesKafkaFailovers((error) => kafkaLog.error({ err: error }, `kafkajs left a failure unhandled (a broker went away?); the clients reconnect by themselves: ${(error as Error).message}`)));
  app.enableShutdownHooks();
  const config = app.get(AppConfig);
  const settings = app.get<KafkaSettings>(KAFKA_SETTINGS);

  await ensureTopics(settings);
  if (options.consumesRequests) {
    const ref = app.get(KafkaServerRef);
    ref.server = new ShopKafkaServer(settings, () => ref.rebalanced());
    app.connectMicroservice({ strategy: ref.server }, { inheritAppConfig: true });
  }
  installHttpMetrics(adapter.getInstance());
  installAccessLog(adapter.getInstance(), rootLoggerOf(app));
  installRequestContext(adapter.getInstance());
  closeConnectionsOnShutdown(adapter.getInstance());
  await options.configure?.(app);
  // HTTP first: a taken port fails the boot before the consumer joins its group, where a
  // crash would freeze its partitions until the session times out.
  await app.listen(config.PORT, config.HOST);
  // A service takes its share of requests only once it can serve them.
  if (options.consumesRequests) await waitForDatabase(app); // the gateway has none (asking Nest for it logs an error)
  await app.startAllMicroservices();
  app.get(Logger).log({ port: config.PORT, host: config.HOST, kafka: config.KAFKA_BROKERS }, `${settings.app} listening on http://${config.HOST}:${config.PORT}`);
  return app;
}

/**
 * On shutdown Fastify answers new requests 503 and closes the keep-alive connections that
 * are idle then; one whose answer was still on its way goes idle afterwards and would hold
 * the shutdown for the whole keep-alive timeout (Fastify's 72 s, past any grace period).
 * From then on, a connection is closed as soon as its answer ends.
 */
export function closeConnectionsOnShutdown(instance: FastifyInstance): void {
  instance.addHook('preClose', (done) => {
    instance.server.keepAliveTimeout = 1;
    done();
  });
}
