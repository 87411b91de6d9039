import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ArgumentsHost,
  BadRequestException,
  HttpException,
  Logger,
  LoggerService,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { lastValueFrom, Observable } from 'rxjs';
import { requestContext } from '../context/request-context';
import { AllExceptionsFilter, toWireError } from './all-exceptions.filter';
import { ShopError } from './shop.error';

/** Every line the filter logs, instead of the console. */
const logged: unknown[][] = [];
const recorder: LoggerService = {
  log: (...args: unknown[]) => void logged.push(args),
  error: (...args: unknown[]) => void logged.push(args),
  warn: (...args: unknown[]) => void logged.push(args),
  debug: (...args: unknown[]) => void logged.push(args),
  verbose: (...args: unknown[]) => void logged.push(args),
};
before(() => Logger.overrideLogger(recorder));
after(() => Logger.overrideLogger(true));
beforeEach(() => {
  logged.length = 0;
});

describe('toWireError', () => {
  it('sends a ShopError as it is', () => {
    const error = new ShopError(409, 'USER_EMAIL_TAKEN', 'taken', { email: 'a@b.c' });
    assert.deepEqual(toWireError(error), { statusCode: 409, code: 'USER_EMAIL_TAKEN', message: 'taken', details: { email: 'a@b.c' } });
  });

  it('maps a bare NotFoundException to 404 NOT_FOUND without details', () => {
    assert.deepEqual(toWireError(new NotFoundException()), { statusCode: 404, code: 'NOT_FOUND', message: 'Not Found' });
  });

  it('keeps the message of a NotFoundException and drops NestJS\'s own error label', () => {
    assert.deepEqual(toWireError(new NotFoundException('Cannot GET /api/nothing')), {
      statusCode: 404,
      code: 'NOT_FOUND',
      message: 'Cannot GET /api/nothing',
    });
  });

  it('maps 400 to VALIDATION_FAILED and 413 to PAYLOAD_TOO_LARGE', () => {
    assert.equal(toWireError(new BadRequestException('bad')).code, 'VALIDATION_FAILED');
    assert.deepEqual(toWireError(new PayloadTooLargeException()), { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Payload Too Large' });
  });

  it('names a status it has no code for as HTTP_<status>', () => {
    assert.deepEqual(toWireError(new HttpException('Too many requests, slow down', 429)), {
      statusCode: 429,
      code: 'HTTP_429',
      message: 'Too many requests, slow down',
    });
  });

  it('keeps what is down of a failed health check as details of a 503', () => {
    const health = {
      status: 'error',
      info: { mongodb: { status: 'up' } },
      error: { kafka: { status: 'down' } },
      details: { mongodb: { status: 'up' }, kafka: { status: 'down' } },
    };
    const wire = toWireError(new ServiceUnavailableException(health));
    assert.equal(wire.statusCode, 503);
    assert.equal(wire.code, 'SERVICE_UNAVAILABLE');
    assert.equal(typeof wire.message, 'string');
    assert.deepEqual(wire.details, health);
  });

  it('answers an unknown Error with 500 INTERNAL_ERROR and no message or stack', () => {
    const wire = toWireError(new Error('connection string mongodb://admin:secret@db failed'));
    assert.deepEqual(wire, { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
    assert.doesNotMatch(JSON.stringify(wire), /secret|stack|at /);
  });

  it('answers a framework’s own 4xx (a body the client stopped sending) as that 4xx, without its words', () => {
    const aborted = Object.assign(new Error('aborted at /srv/app/node_modules/x.js'), { statusCode: 400 });
    assert.deepEqual(toWireError(aborted), { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The request could not be read' });
    assert.deepEqual(toWireError(Object.assign(new Error('boom'), { statusCode: 502 })), { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
  });

  it('answers a thrown string or undefined with the same 500', () => {
    for (const thrown of ['boom', undefined, { statusCode: 'x' }]) {
      assert.deepEqual(toWireError(thrown), { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
    }
  });
});

/** A Fastify reply that records what the filter answered. */
function fakeHttp({ id }: { id?: string }) {
  // No route at all: a NotFoundException stays a 404 (no 405).
  const request = { id, method: 'GET', url: '/things/1', server: { findRoute: () => null } };
  const sent: { status?: number; body?: unknown } = {};
  const response = {
    status(code: number) {
      sent.status = code;
      return response;
    },
    send(body: unknown) {
      sent.body = body;
      return response;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response, getNext: () => undefined }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

/** A Kafka message as the filter sees it; a request carries kafka_replyTopic, an event does not. */
function fakeKafka(headers: Record<string, string>) {
  const produced: { topic: string; messages: { key: unknown; value: unknown; headers: Record<string, string> }[] }[] = [];
  const context = {
    getMessage: () => ({ key: 'u1', value: { id: 'u1' }, offset: '42', headers }),
    getTopic: () => 'user.created',
    getPartition: () => 2,
    getProducer: () => ({ send: async (record: (typeof produced)[number]) => void produced.push(record) }),
  };
  const host = {
    getType: () => 'rpc',
    switchToRpc: () => ({ getContext: () => context, getData: () => ({ id: 'u1' }) }),
  } as unknown as ArgumentsHost;
  return { host, produced };
}

describe('AllExceptionsFilter over HTTP', () => {
  it('answers a ShopError with its status and body plus the request id', () => {
    const { host, sent } = fakeHttp({ id: 'r1' });
    new AllExceptionsFilter().catch(ShopError.notFound('USER_NOT_FOUND', 'User', 'u1'), host);
    assert.equal(sent.status, 404);
    assert.deepEqual(sent.body, { statusCode: 404, code: 'USER_NOT_FOUND', message: 'User u1 does not exist', requestId: 'r1' });
    assert.equal(logged.length, 0, 'a 4xx is not logged as an error');
  });

  it('answers an unknown error with 500 and the request id, and logs what happened', () => {
    const { host, sent } = fakeHttp({ id: 'r1' });
    new AllExceptionsFilter().catch(new Error('db password is hunter2'), host);
    assert.equal(sent.status, 500);
    assert.deepEqual(sent.body, { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error', requestId: 'r1' });
    assert.match(JSON.stringify(logged), /Unhandled error: db password is hunter2/);
  });

  it('takes the request id from the request context when there is one', () => {
    const { host, sent } = fakeHttp({ id: 'r1' });
    requestContext.run({ requestId: 'ctx-7' }, () => new AllExceptionsFilter().catch(new NotFoundException(), host));
    assert.deepEqual(sent.body, { statusCode: 404, code: 'NOT_FOUND', message: 'Not Found', requestId: 'ctx-7' });
  });
});

describe('AllExceptionsFilter over Kafka', () => {
  it('fails a request with the wire error, for the reply', async () => {
    const { host, produced } = fakeKafka({ kafka_replyTopic: 'user.get.reply' });
    const result = new AllExceptionsFilter().catch(ShopError.notFound('USER_NOT_FOUND', 'User', 'u1'), host);
    assert.ok(result instanceof Observable);
    await assert.rejects(lastValueFrom(result), (error: unknown) => {
      assert.deepEqual(error, { statusCode: 404, code: 'USER_NOT_FOUND', message: 'User u1 does not exist' });
      return true;
    });
    assert.equal(produced.length, 0, 'a failed request is answered, not set aside');
  });

  it('sets a failed event aside on the dead-letter topic with the reason and settles', async () => {
    const { host, produced } = fakeKafka({ 'x-request-id': 'r9' });
    const error = ShopError.validation([{ field: 'email', errors: ['email must be a valid email address'] }]);
    const result = new AllExceptionsFilter().catch(error, host);
    assert.ok(result instanceof Observable);
    // The stream's one value is the pending write to the dead-letter topic.
    await (await lastValueFrom(result as Observable<Promise<void>>));
    assert.equal(produced.length, 1);
    assert.equal(produced[0].topic, 'shop.dead-letter');
    const [message] = produced[0].messages;
    assert.equal(message.key, 'u1');
    assert.equal(message.value, JSON.stringify({ id: 'u1' }));
    assert.deepEqual(message.headers, {
      'x-request-id': 'r9',
      'x-dead-letter-reason': 'VALIDATION_FAILED: Invalid input: email',
      'x-original-topic': 'user.created',
      'x-original-partition': '2',
      'x-original-offset': '42',
      'x-dead-letter-details': JSON.stringify([{ field: 'email', errors: ['email must be a valid email address'] }]),
    });
  });
});
