import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Controller, Delete, Get, INestApplication, Injectable, Logger, MiddlewareConsumer, Module, NestMiddleware, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AllExceptionsFilter } from './all-exceptions.filter';

@Controller('things')
class ThingsController {
  @Get(':id')
  get(@Param('id') id: string) {
    if (id === 'missing') throw new NotFoundException('no such thing');
    return { id };
  }

  @Delete(':id')
  remove() {}
}

/** Middleware bound to every path and method (nestjs-pino's access log is). */
@Injectable()
class Everywhere implements NestMiddleware {
  use(_req: unknown, _res: unknown, next: () => void) {
    next();
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(Everywhere).forRoutes('*');
  }
}

describe('405 for a method a path does not have (the exception filter and allowedMethods)', () => {
  let app: INestApplication;
  let base: string;

  before(async () => {
    Logger.overrideLogger(false);
    app = await NestFactory.create(ThingsModule, new FastifyAdapter(), { logger: false });
    app.useGlobalFilters(new AllExceptionsFilter());
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  after(async () => {
    await app.close();
    Logger.overrideLogger(true);
  });

  it('answers 405 METHOD_NOT_ALLOWED with the methods the path has in Allow', async () => {
    const res = await fetch(`${base}/things/1`, { method: 'PUT' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'DELETE, GET, HEAD, OPTIONS');
    const body = (await res.json()) as { code: string; message: string };
    assert.equal(body.code, 'METHOD_NOT_ALLOWED');
    assert.equal(body.message, 'PUT is not allowed on /things/1; it answers DELETE, GET, HEAD');
  });

  it('answers OPTIONS with 204 and Allow', async () => {
    const res = await fetch(`${base}/things/1`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('allow'), 'DELETE, GET, HEAD, OPTIONS');
  });

  it('keeps 404 for a path no route has, and for a handler’s own not-found', async () => {
    const nowhere = await fetch(`${base}/nowhere`, { method: 'PUT' });
    assert.equal(nowhere.status, 404);
    assert.equal(((await nowhere.json()) as { code: string }).code, 'NOT_FOUND');
    const missing = await fetch(`${base}/things/missing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { message: string }).message, 'no such thing');
    assert.equal(missing.headers.get('allow'), null);
  });

  it('answers 404 or 405 for what no route has, even with a body Fastify cannot read', async () => {
    const nowhere = await fetch(`${base}/nowhere`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(nowhere.status, 404);
    assert.equal(((await nowhere.json()) as { code: string }).code, 'NOT_FOUND');
    const wrongMethod = await fetch(`${base}/things/1`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{bad' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'DELETE, GET, HEAD, OPTIONS');
  });
});
