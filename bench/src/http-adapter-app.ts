/**
 * The minimal NestJS app that `http-adapter.ts` starts once per adapter and round, in a
 * child process of its own: the gateway's HTTP edge without Kafka (global prefix,
 * X-Request-Id middleware, a validating pipe, a JSON answer), so the only difference
 * between two runs is the adapter. `node bench/dist/http-adapter-app.js express|fastify`
 * listens on a free port of 127.0.0.1 and sends `{ port }` to its parent.
 */
import { BadRequestException, Controller, Get, MiddlewareConsumer, Module, NestModule, Param, PipeTransform } from '@nestjs/common';
import { AbstractHttpAdapter, NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADAPTERS, AdapterName } from './http-adapter-report';

/** A product as the gateway answers it, about 300 bytes of JSON. */
const PRODUCT = {
  name: 'Mechanical keyboard, 87 keys',
  description: 'Tenkeyless keyboard with hot-swappable switches and PBT keycaps.',
  priceCents: 8900,
  currency: 'EUR',
  stock: 120,
  tags: ['keyboard', 'peripherals'],
  createdAt: '2026-11-01T09:30:00.000Z',
  updatedAt: '2026-11-20T16:45:00.000Z',
};

/** The check the gateway's IdRequest makes: a MongoDB ObjectId, 24 hex characters. */
class ObjectIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[0-9a-f]{24}$/i.test(value)) throw new BadRequestException('id must be a MongoDB ObjectId (24 hex characters)');
    return value;
  }
}

@Controller()
class BenchController {
  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('products/:id')
  product(@Param('id', ObjectIdPipe) id: string): typeof PRODUCT & { id: string } {
    return { id, ...PRODUCT };
  }
}

/** Raw Node objects: what Express passes (its own subclasses) and what Fastify's middie passes. */
function requestId(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  res.setHeader('X-Request-Id', randomUUID());
  next();
}

@Module({ controllers: [BenchController] })
class BenchModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(requestId).forRoutes(BenchController);
  }
}

/** Only the adapter measured is loaded, so that its process's memory is its own. */
async function httpAdapter(name: AdapterName): Promise<AbstractHttpAdapter> {
  return name === 'fastify' ? new (await import('@nestjs/platform-fastify')).FastifyAdapter() : new (await import('@nestjs/platform-express')).ExpressAdapter();
}

async function main(adapter: AdapterName): Promise<void> {
  const app = await NestFactory.create(BenchModule, await httpAdapter(adapter), { logger: ['error', 'warn'] });
  app.setGlobalPrefix('api', { exclude: ['health/live'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  process.send?.({ port });
  // The parent goes away with the IPC channel: follow it rather than linger.
  process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
}

if (require.main === module) {
  const adapter = process.argv[2] as AdapterName;
  if (!ADAPTERS.includes(adapter)) {
    console.error(`usage: node http-adapter-app.js ${ADAPTERS.join('|')}`);
    process.exit(2);
  }
  main(adapter).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
