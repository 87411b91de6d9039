import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { KafkaJSConnectionError } from 'kafkajs';
import { NEVER, Observable, of, throwError } from 'rxjs';
import { requestContext } from '../context/request-context';
import { ShopError } from '../errors/shop.error';
import { shopErrorOf } from '../testing/test-kit';
import { EventPublisher } from './event-publisher';
import { RpcClient } from './rpc-client';
import { KafkaAdmin } from './kafka-admin';
import { KafkaSettings } from './kafka.settings';
import { AppName, EVENTS, RPC, rpc, stockMovement } from '@shop/contracts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Sent {
  pattern: string;
  message: { key: string | null; value: unknown; headers: Record<string, string> };
}

/** Stands in for ClientKafka: records what is sent and answers with `reply`. */
function fakeKafkaClient(reply: () => Observable<unknown> = () => of({ ok: true })) {
  const sent: Sent[] = [];
  const emitted: Sent[] = [];
  const subscribed: string[] = [];
  let assignments: Record<string, number> = {};
  let connected = false;
  let closed = false;
  const client = {
    subscribeToResponseOf: (pattern: string) => void subscribed.push(pattern),
    connect: async () => {
      connected = true;
    },
    close: async () => {
      closed = true;
    },
    getConsumerAssignments: () => assignments,
    send: (pattern: string, message: Sent['message']) => {
      sent.push({ pattern, message });
      return reply();
    },
    emit: (pattern: string, message: Sent['message']) => {
      emitted.push({ pattern, message });
      return reply();
    },
  };
  return {
    client,
    sent,
    emitted,
    subscribed,
    assign: (next: Record<string, number>) => {
      assignments = next;
    },
    state: () => ({ connected, closed }),
  };
}

/** A broker that answers a round trip, or does not. */
function fakeBroker(answers: boolean): KafkaAdmin {
  return { roundTrip: async () => (answers ? { brokers: 1, ms: 1 } : Promise.reject(new Error('no answer within 500 ms'))) } as unknown as KafkaAdmin;
}

function settingsOf(app: AppName): KafkaSettings {
  return { app, instance: `${app}-1`, replyTopic: `${app}.replies`, rpcTimeoutMs: 100 } as KafkaSettings;
}

function rpcClient(fake: ReturnType<typeof fakeKafkaClient>, broker = fakeBroker(true), app: AppName = 'gateway'): RpcClient {
  return new RpcClient(fake.client as never, settingsOf(app), broker);
}

function publisher(fake: ReturnType<typeof fakeKafkaClient>): EventPublisher {
  return new EventPublisher(fake.client as unknown as ClientKafka, settingsOf('user-service'));
}

const USER = { id: '6650f0c2a1b2c3d4e5f60718', email: 'ada@example.com', name: 'Ada', role: 'customer' as const, createdAt: '', updatedAt: '' };
const UNKNOWN = rpc<Record<string, never>, unknown>({ pattern: 'user.fly', service: 'user-service', reply: '-', kind: 'read', callers: ['gateway'], description: '-' });


// Failures are logged on purpose; keep the test output to the results.
before(() => Logger.overrideLogger(false));
after(() => Logger.overrideLogger(true));

describe('RpcClient.send', () => {
  it('resolves with the reply of the service', async () => {
    const fake = fakeKafkaClient(() => of({ id: 'u1', email: 'ada@example.com' }));
    assert.deepEqual(await rpcClient(fake).send(RPC.USER_GET, { id: 'u1' }), { id: 'u1', email: 'ada@example.com' });
  });

  it('sends the payload as the value, with the key the contract derives and the request id of the current request', async () => {
    const fake = fakeKafkaClient();
    const before = Date.now();
    await requestContext.run({ requestId: 'abc' }, () => rpcClient(fake).send(RPC.USER_GET, { id: 'u1' }));
    assert.equal(fake.sent.length, 1);
    const [{ pattern, message }] = fake.sent;
    assert.equal(pattern, 'user.get');
    assert.equal(message.key, 'u1');
    assert.deepEqual(message.value, { id: 'u1' });
    assert.equal(message.headers['x-request-id'], 'abc');
    assert.equal(message.headers['x-producer'], 'gateway-1');
    assert.equal(message.headers['content-type'], 'application/json');
    const deadline = Number(message.headers['x-deadline']);
    assert.ok(Number.isInteger(deadline), `x-deadline is epoch milliseconds: ${message.headers['x-deadline']}`);
    assert.ok(deadline >= before + 100 && deadline <= Date.now() + 100, 'x-deadline is the timeout from now');
  });

  it('names the caller of the current request on every message it causes, and no caller when the system acts by itself', async () => {
    const fake = fakeKafkaClient();
    const caller = { id: '6650f0c2a1b2c3d4e5f60718', role: 'customer' as const };
    await requestContext.run({ requestId: 'abc', principal: caller }, () => rpcClient(fake).send(RPC.USER_GET, { id: caller.id }));
    await requestContext.run({ requestId: 'def' }, () => rpcClient(fake).send(RPC.USER_GET, { id: caller.id }));
    assert.deepEqual(
      fake.sent.map(({ message }) => [message.headers['x-user-id'], message.headers['x-user-role']]),
      [
        [caller.id, 'customer'],
        [undefined, undefined],
      ],
    );
  });

  it('leaves the deadline off a message that must apply however late it is handled', async () => {
    const fake = fakeKafkaClient();
    const release = stockMovement.release('6650f0c2a1b2c3d4e5f60720', 'p1');
    await requestContext.run({ requestId: 'abc' }, () => rpcClient(fake, fakeBroker(true), 'order-service').send(RPC.PRODUCT_STOCK, release, { mustApply: true }));
    const { message } = fake.sent[0];
    assert.equal(message.key, 'p1', 'a stock movement is keyed by its product');
    assert.equal(message.headers['x-deadline'], undefined);
    assert.equal(message.headers['x-request-id'], 'abc');
  });

  it('sends a null key for a pattern without one, and a fresh request id when called outside a request', async () => {
    const fake = fakeKafkaClient();
    await rpcClient(fake).send(RPC.USER_LIST, { limit: 20, offset: 0 });
    const { message } = fake.sent[0];
    assert.equal(message.key, null);
    assert.match(message.headers['x-request-id'], UUID);
  });

  it('rejects with the ShopError carried by the error header of the reply', async () => {
    const fake = fakeKafkaClient(() => throwError(() => '{"statusCode":404,"code":"USER_NOT_FOUND","message":"m"}'));
    const error = await shopErrorOf(rpcClient(fake).send(RPC.USER_GET, { id: 'u1' }));
    assert.deepEqual(error.toWire(), { statusCode: 404, code: 'USER_NOT_FOUND', message: 'm' });
  });

  it('rejects with the ShopError of a reply error that arrives already parsed, details included', async () => {
    const wire = { statusCode: 409, code: 'USER_EMAIL_TAKEN', message: 'taken', details: { email: 'a@b.c' } };
    const fake = fakeKafkaClient(() => throwError(() => wire));
    const error = await shopErrorOf(rpcClient(fake).send(RPC.USER_CREATE, { email: 'a@b.c', name: 'A', role: 'customer' as const, sealedPassword: 'v1.x.y' }));
    assert.deepEqual(error.toWire(), wire);
  });

  it('rejects with the ShopError of a reply error that arrives as a Buffer', async () => {
    const fake = fakeKafkaClient(() => throwError(() => Buffer.from('{"statusCode":400,"code":"VALIDATION_FAILED","message":"Invalid input: id"}')));
    const error = await shopErrorOf(rpcClient(fake).send(RPC.USER_GET, { id: '' }));
    assert.deepEqual(error.toWire(), { statusCode: 400, code: 'VALIDATION_FAILED', message: 'Invalid input: id' });
  });

  it('rejects with 504 RPC_TIMEOUT when no reply comes in time and the broker answers', async () => {
    const fake = fakeKafkaClient(() => NEVER);
    const error = await shopErrorOf(rpcClient(fake, fakeBroker(true)).send(RPC.USER_GET, { id: 'u1' }));
    assert.deepEqual(error.toWire(), {
      statusCode: 504,
      code: 'RPC_TIMEOUT',
      message: 'No answer to user.get within 100 ms',
      details: { pattern: 'user.get', timeoutMs: 100 },
    });
  });

  it('rejects with 503 KAFKA_UNAVAILABLE when no reply comes and the broker does not answer either', async () => {
    const fake = fakeKafkaClient(() => NEVER);
    const error = await shopErrorOf(rpcClient(fake, fakeBroker(false)).send(RPC.USER_GET, { id: 'u1' }));
    assert.equal(error.statusCode, 503);
    assert.equal(error.code, 'KAFKA_UNAVAILABLE');
  });

  it('rejects with 503 KAFKA_UNAVAILABLE when the broker cannot be reached', async () => {
    const fake = fakeKafkaClient(() => throwError(() => new KafkaJSConnectionError('down')));
    const error = await shopErrorOf(rpcClient(fake).send(RPC.USER_GET, { id: 'u1' }));
    assert.equal(error.statusCode, 503);
    assert.equal(error.code, 'KAFKA_UNAVAILABLE');
    assert.doesNotMatch(error.message, /down/, 'the broker error itself stays in the logs');
  });

  it('rejects with 503 KAFKA_UNAVAILABLE while reply partitions are not yet assigned', async () => {
    const notReady = Object.assign(new Error('The client consumer did not subscribe to the corresponding reply topic (user.get.reply).'), {
      name: 'InvalidKafkaClientTopicException',
    });
    const fake = fakeKafkaClient(() => throwError(() => notReady));
    const error = await shopErrorOf(rpcClient(fake).send(RPC.USER_GET, { id: '' }));
    assert.equal(error.statusCode, 503);
    assert.equal(error.code, 'KAFKA_UNAVAILABLE');
  });

  it('rejects with 501 NO_HANDLER when no service handles the pattern', async () => {
    const fake = fakeKafkaClient(() => throwError(() => 'There is no matching message handler defined in the remote service.'));
    const error = await shopErrorOf(rpcClient(fake).send(UNKNOWN, {}));
    assert.deepEqual(error.toWire(), { statusCode: 501, code: 'NO_HANDLER', message: 'No service handles user.fly' });
  });

  it('rejects with a bare 500 for any other failure, without its message', async () => {
    const fake = fakeKafkaClient(() => throwError(() => new TypeError('cannot read x of undefined')));
    const error = await shopErrorOf(rpcClient(fake).send(RPC.USER_GET, { id: '' }));
    assert.deepEqual(error.toWire(), { statusCode: 500, code: 'INTERNAL_ERROR', message: 'Internal server error' });
  });
});

describe('RpcClient.command', () => {
  it('sends a one-way command keyed as its contract says, with no deadline, waiting for no reply', async () => {
    const fake = fakeKafkaClient(() => of(undefined));
    const release = stockMovement.release('6650f0c2a1b2c3d4e5f60720', 'p1', 'order cancelled');
    await requestContext.run({ requestId: 'abc' }, () => rpcClient(fake, fakeBroker(true), 'product-service').command(RPC.PRODUCT_STOCK, release));
    assert.equal(fake.sent.length, 0);
    assert.deepEqual(fake.emitted.map((e) => [e.pattern, e.message.key, e.message.value, e.message.headers['x-request-id'], e.message.headers['x-deadline']]), [
      ['product.stock', 'p1', release, 'abc', undefined],
    ]);
  });
});

describe('EventPublisher', () => {
  it('publishes the payload with the entity id the contract derives as key, and event headers', async () => {
    const fake = fakeKafkaClient(() => of(undefined));
    await requestContext.run({ requestId: 'abc' }, () => publisher(fake).publish(EVENTS.USER_CREATED, USER));
    assert.equal(fake.emitted.length, 1);
    const [{ pattern, message }] = fake.emitted;
    assert.equal(pattern, 'user.created');
    assert.equal(message.key, USER.id);
    assert.deepEqual(message.value, USER);
    assert.match(message.headers['x-event-id'], UUID);
    assert.deepEqual(
      { ...message.headers, 'x-event-id': '<uuid>' },
      {
        'x-request-id': 'abc',
        'x-producer': 'user-service-1',
        'content-type': 'application/json',
        'x-event-id': '<uuid>',
        'x-event-type': 'user.created',
      },
    );
  });

  it('gives every event its own id', async () => {
    const fake = fakeKafkaClient(() => of(undefined));
    const events = publisher(fake);
    await events.publish(EVENTS.USER_CREATED, USER);
    await events.publish(EVENTS.USER_CREATED, USER);
    assert.notEqual(fake.emitted[0].message.headers['x-event-id'], fake.emitted[1].message.headers['x-event-id']);
  });

  it('rejects with 503 KAFKA_UNAVAILABLE when the broker cannot be reached', async () => {
    const fake = fakeKafkaClient(() => throwError(() => new KafkaJSConnectionError('down')));
    const error = await shopErrorOf(publisher(fake).publish(EVENTS.USER_CREATED, USER));
    assert.equal(error.statusCode, 503);
    assert.equal(error.code, 'KAFKA_UNAVAILABLE');
  });
});

describe('RpcClient readiness', () => {
  it('is ready once it owns a partition of its own reply topic, where every answer arrives', () => {
    const fake = fakeKafkaClient();
    const client = rpcClient(fake);
    assert.equal(client.isReady(), false);
    fake.assign({ 'user.get.reply': 0, 'product.get.reply': 0, 'user.get': 1 });
    assert.equal(client.isReady(), false, "neither NestJS's per-pattern topics nor request topics are where its answers arrive");
    fake.assign({ 'gateway.replies': 1 });
    assert.equal(client.isReady(), true);
  });

  it('is ready at once in an app that waits for no answer', () => {
    assert.equal(rpcClient(fakeKafkaClient(), fakeBroker(true), 'user-service').isReady(), true);
  });

  it('subscribes to every reply of the app, connects, and starts once a reply partition is assigned', async () => {
    const fake = fakeKafkaClient();
    const client = rpcClient(fake, fakeBroker(true), 'order-service');
    const started = client.onModuleInit();
    let done = false;
    void started.then(() => {
      done = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.deepEqual(fake.subscribed, ['user.get', 'product.get-many', 'product.stock']);
    assert.equal(fake.state().connected, true);
    assert.equal(done, false, 'still waiting for reply partitions');
    fake.assign({ 'order-service.replies': 0 });
    await started;
    assert.equal(client.isReady(), true);
  });

  it('closes the Kafka client on shutdown', async () => {
    const fake = fakeKafkaClient();
    await rpcClient(fake).onApplicationShutdown();
    assert.equal(fake.state().closed, true);
  });
});
