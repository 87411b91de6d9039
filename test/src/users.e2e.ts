import { DEAD_LETTER_TOPIC, EVENTS, HEADERS, RPC, replyTopicOf } from '@shop/contracts';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, client, ISO_DATE, OBJECT_ID, uniqueEmail, UNKNOWN_ID } from './support/http';
import { produceRaw, TopicWatcher } from './support/kafka';
import { asAdmin, PASSWORD } from './support/auth';
import { startSystem, System } from './support/system';

describe('users: HTTP -> Kafka request-reply -> user-service -> MongoDB', () => {
  let system: System;
  let api: Client;
  let watcher: TopicWatcher;

  before(async () => {
    system = await startSystem();
    api = asAdmin(system.gateways[0].url);
    watcher = await new TopicWatcher(system.infra.kafkaBrokers).start([
      RPC.USER_CREATE.pattern,
      replyTopicOf('gateway'),
      EVENTS.USER_CREATED.topic,
      EVENTS.USER_DELETED.topic,
      DEAD_LETTER_TOPIC,
    ]);
  });

  after(async () => {
    await watcher?.stop();
    await system?.stop();
  });

  it('creates a user and answers 201 with the whole user, nothing internal', async () => {
    const email = uniqueEmail('ada');
    const padded = await api.post('/api/users', { password: PASSWORD, email, name: '  Ada Lovelace ' });
    assert.equal(padded.status, 400, 'a name is taken as sent or refused, never trimmed silently');
    assert.deepEqual(padded.body.details, [{ field: 'name', errors: ['name must not start or end with whitespace, nor contain the NUL character (U+0000)'] }]);
    const res = await api.post('/api/users', { password: PASSWORD, email: email.toUpperCase(), name: 'Ada Lovelace' });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body).sort(), ['createdAt', 'email', 'id', 'name', 'role', 'updatedAt']);
    assert.equal(res.body.role, 'customer');
    assert.match(res.body.id, OBJECT_ID);
    assert.equal(res.body.email, email);
    assert.equal(res.body.name, 'Ada Lovelace');
    assert.match(res.body.createdAt, ISO_DATE);
    assert.equal(res.body.updatedAt, res.body.createdAt);
  });

  it('reads, lists, updates and deletes a user', async () => {
    const created = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('grace'), name: 'Grace Hopper' })).body;

    const got = await api.get(`/api/users/${created.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, created);

    const page = await api.get('/api/users?limit=2&offset=0');
    assert.equal(page.status, 200);
    assert.deepEqual(Object.keys(page.body).sort(), ['items', 'limit', 'offset', 'total']);
    assert.equal(page.body.limit, 2);
    assert.equal(page.body.offset, 0);
    assert.equal(page.body.items.length, 2);
    assert.ok(page.body.total >= 2);
    const last = await api.get(`/api/users?limit=1&offset=${page.body.total - 1}`);
    assert.deepEqual(last.body.items, [created], 'the newest user is last, as the list is oldest first');

    const patched = await api.patch(`/api/users/${created.id}`, { name: 'Rear Admiral Hopper' });
    assert.equal(patched.status, 200);
    assert.deepEqual({ ...patched.body, updatedAt: undefined }, { ...created, name: 'Rear Admiral Hopper', updatedAt: undefined });
    assert.ok(patched.body.updatedAt >= created.updatedAt);

    const deleted = await api.delete(`/api/users/${created.id}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.body, '');
    const gone = await api.get(`/api/users/${created.id}`);
    assert.equal(gone.status, 404);
    assert.deepEqual(gone.body, {
      statusCode: 404,
      code: 'USER_NOT_FOUND',
      message: `User ${created.id} does not exist`,
      requestId: gone.headers.get('x-request-id'),
    });
    assert.equal((await api.delete(`/api/users/${created.id}`)).status, 404);
  });

  it('refuses a second user with the same email, on create and on update (409 USER_EMAIL_TAKEN)', async () => {
    const email = uniqueEmail('taken');
    assert.equal((await api.post('/api/users', { password: PASSWORD, email, name: 'First' })).status, 201);
    const again = await api.post('/api/users', { password: PASSWORD, email: email.toUpperCase(), name: 'Second' });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, 'USER_EMAIL_TAKEN');
    assert.equal(again.body.message, `A user with email ${email} already exists`);

    const other = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('other'), name: 'Other' })).body;
    const clash = await api.patch(`/api/users/${other.id}`, { email });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, 'USER_EMAIL_TAKEN');
    assert.deepEqual((await api.get(`/api/users/${other.id}`)).body, other, 'the refused update changed nothing');
  });

  describe('bad input is a 400 with a code, never a 500', () => {
    it('names every bad field', async () => {
      const res = await api.post('/api/users', { password: PASSWORD, email: 'not-an-email', name: '' });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.deepEqual(
        res.body.details.map((d: { field: string }) => d.field).sort(),
        ['email', 'name'],
      );
      assert.equal(typeof res.body.requestId, 'string');
    });

    it('rejects unknown body fields', async () => {
      const res = await api.post('/api/users', { password: PASSWORD, email: uniqueEmail(), name: 'X', isAdmin: true });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.details, [{ field: 'isAdmin', errors: ['property isAdmin should not exist'] }]);
    });

    it('rejects an operator object anywhere in the input', async () => {
      const inBody = await api.post('/api/users', { password: PASSWORD, email: { $gt: '' }, name: 'X' });
      assert.equal(inBody.status, 400);
      assert.equal(inBody.body.code, 'VALIDATION_FAILED');
      assert.equal(inBody.body.details[0].field, 'email.$gt');
      const inPatch = await api.patch(`/api/users/${UNKNOWN_ID}`, { name: { $ne: null } });
      assert.equal(inPatch.status, 400);
      const inQuery = await api.get('/api/users?limit[$gt]=1');
      assert.equal(inQuery.status, 400);
      assert.equal(inQuery.body.code, 'VALIDATION_FAILED');
    });

    it('answers a malformed id with 400 and an unknown one with 404', async () => {
      const malformed = await api.get('/api/users/not-an-id');
      assert.equal(malformed.status, 400);
      assert.deepEqual(malformed.body.details, [{ field: 'id', errors: ['id must be a MongoDB ObjectId (24 hex characters)'] }]);
      const unknown = await api.get(`/api/users/${UNKNOWN_ID}`);
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.code, 'USER_NOT_FOUND');
    });

    it('answers malformed JSON with 400 MALFORMED_JSON and a JSON array with 400', async () => {
      const broken = await api.raw('POST', '/api/users', '{"email": "a@b.c",');
      assert.equal(broken.status, 400);
      assert.deepEqual(broken.body, { statusCode: 400, code: 'MALFORMED_JSON', message: 'The body is not valid JSON', requestId: broken.headers.get('x-request-id') });
      const array = await api.raw('POST', '/api/users', '[{"email":"a@b.c","name":"A"}]');
      assert.equal(array.status, 400);
      assert.equal(array.body.code, 'VALIDATION_FAILED');
    });

    it('answers a body that is not JSON with 415, takes an empty one of any type as none, and a URL it cannot read with 400', async () => {
      const text = await api.raw('POST', '/api/users', '{"email":"a@b.c"}', { 'content-type': 'text/plain' });
      assert.equal(text.status, 415);
      assert.deepEqual(text.body, { statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body must be JSON (Content-Type: application/json)', requestId: text.headers.get('x-request-id') });
      const emptyText = await api.raw('DELETE', `/api/users/${UNKNOWN_ID}`, '', { 'content-type': 'text/plain' });
      assert.equal(emptyText.status, 404, 'an empty body is no body, whatever its type');
      const emptyJson = await api.raw('DELETE', `/api/users/${UNKNOWN_ID}`, '', { 'content-type': 'application/json' });
      assert.equal(emptyJson.status, 404);
      for (const path of ['/api/users/%E0%A4%A', `/api/users/${'a'.repeat(101)}`]) {
        const bad = await api.get(path);
        assert.equal(bad.status, 400, path);
        assert.equal(bad.body.code, 'VALIDATION_FAILED', path);
        assert.equal(bad.body.requestId, bad.headers.get('x-request-id'), path);
      }
    });

    it('answers a body over 1 MB with 413', async () => {
      const res = await api.post('/api/users', { password: PASSWORD, email: uniqueEmail(), name: 'x'.repeat(1_100_000) });
      assert.equal(res.status, 413);
      assert.equal(res.body.code, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses a page size out of range', async () => {
      const res = await api.get('/api/users?limit=1000');
      assert.equal(res.status, 400);
      assert.equal(res.body.details[0].field, 'limit');
    });
  });

  it('carries X-Request-Id to the request, the reply and the event, and echoes it', async () => {
    const requestId = `e2e-${Date.now()}`;
    const res = await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('traced'), name: 'Traced' }, { 'X-Request-Id': requestId });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('x-request-id'), requestId);
    const byRequestId = (m: { headers: Record<string, string> }) => m.headers[HEADERS.REQUEST_ID] === requestId;
    const request = await watcher.waitFor(RPC.USER_CREATE.pattern, byRequestId);
    assert.ok(Number(request.headers[HEADERS.DEADLINE]) > 0, 'the request carries its deadline');
    const reply = await watcher.waitFor(replyTopicOf('gateway'), byRequestId);
    assert.equal(reply.headers[HEADERS.PATTERN], RPC.USER_CREATE.pattern, 'the reply names the pattern it answers');
    const event = await watcher.waitFor(EVENTS.USER_CREATED.topic, byRequestId);
    assert.equal(event.key, res.body.id);
    assert.deepEqual(event.value, res.body);
  });

  it('generates a request id when none is given', async () => {
    const res = await api.get('/api/users?limit=1');
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('emits user.created and user.deleted with the user id as key and event ids in headers', async () => {
    const user = (await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('evt'), name: 'Evented' })).body;
    assert.equal((await api.delete(`/api/users/${user.id}`)).status, 204);
    const created = await watcher.waitFor(EVENTS.USER_CREATED.topic, (m) => m.key === user.id);
    const deleted = await watcher.waitFor(EVENTS.USER_DELETED.topic, (m) => m.key === user.id);
    assert.deepEqual(created.value, user);
    assert.deepEqual(Object.keys(deleted.value as object).sort(), ['deletedAt', 'id']);
    assert.equal((deleted.value as { id: string }).id, user.id);
    for (const event of [created, deleted]) {
      assert.match(event.headers[HEADERS.EVENT_ID], /^[0-9a-f-]{36}$/);
      assert.equal(event.headers[HEADERS.CONTENT_TYPE], 'application/json');
      assert.ok(event.headers[HEADERS.REQUEST_ID]);
    }
    assert.equal(created.headers[HEADERS.EVENT_TYPE], EVENTS.USER_CREATED.topic);
    assert.equal(deleted.headers[HEADERS.EVENT_TYPE], EVENTS.USER_DELETED.topic);
    assert.notEqual(created.headers[HEADERS.EVENT_ID], deleted.headers[HEADERS.EVENT_ID]);
  });

  it('sets aside a message it cannot understand and keeps consuming', async () => {
    const marker = `garbage-${Date.now()}`;
    await produceRaw(system.infra.kafkaBrokers, RPC.USER_CREATE.pattern, [{ value: `not json ${marker}`, headers: { [HEADERS.REQUEST_ID]: marker } }]);
    const parked = await watcher.waitFor(DEAD_LETTER_TOPIC, (m) => m.headers[HEADERS.REQUEST_ID] === marker);
    assert.equal(parked.headers['x-original-topic'], RPC.USER_CREATE.pattern);
    assert.match(parked.headers['x-dead-letter-reason'], /^VALIDATION_FAILED/);
    assert.equal(parked.value, `not json ${marker}`);
    const after = await api.post('/api/users', { password: PASSWORD, email: uniqueEmail('after'), name: 'After' });
    assert.equal(after.status, 201);
  });

  it('answers 30 concurrent creates with 201 each, then 180 concurrent reads each with its own user', async () => {
    // 30, not more: a create hashes a password (about 0.1 s of CPU by design), and the whole
    // burst must fit in RPC_TIMEOUT_MS on 2 cores shared with the stack: 50 took 4.2 s of the
    // 5 s in a CI run on a busy machine.
    const emails = Array.from({ length: 30 }, (_, i) => uniqueEmail(`c${i}`));
    const created = await Promise.all(emails.map((email, i) => api.post('/api/users', { password: PASSWORD, email, name: `Concurrent ${i}` })));
    assert.deepEqual(created.map((r) => r.status), emails.map(() => 201), `every create answered 201: ${JSON.stringify(created.filter((r) => r.status !== 201).map((r) => [r.status, r.body?.code, Math.round(r.ms)]))}`);
    assert.deepEqual(created.map((r) => r.body.email), emails);
    const wanted = Array.from({ length: 6 }, () => created).flat().map((r) => r.body);
    const reads = await Promise.all(wanted.map((user) => api.get(`/api/users/${user.id}`)));
    assert.deepEqual(reads.map((r) => r.status), wanted.map(() => 200), `every read answered 200: ${JSON.stringify(reads.filter((r) => r.status !== 200).map((r) => [r.status, r.body?.code, Math.round(r.ms)]))}`);
    assert.deepEqual(reads.map((r) => r.body), wanted);
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /docs-json', async () => {
    const ui = await fetch(`${system.gateways[0].url}/docs`);
    assert.equal(ui.status, 200);
    assert.match(await ui.text(), /swagger-ui/i);
    const doc = await api.get('/docs-json');
    assert.equal(doc.status, 200);
    assert.equal(doc.body.openapi, '3.0.0');
    assert.deepEqual(Object.keys(doc.body.paths).sort(), [
      '/api/auth/login',
      '/api/auth/me',
      '/api/auth/register',
      '/api/orders',
      '/api/orders/{id}',
      '/api/orders/{id}/cancel',
      '/api/products',
      '/api/products/{id}',
      '/api/products/{id}/stock',
      '/api/status',
      '/api/users',
      '/api/users/{id}',
    ]);
    assert.ok(doc.body.components.schemas.CreateUserRequest.properties.email.example);
    assert.ok(doc.body.components.schemas.ErrorResponse);
    const refs = [...JSON.stringify(doc.body).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    assert.ok(refs.length > 10);
    assert.deepEqual(refs.filter((name) => !doc.body.components.schemas[name]), [], 'every schema reference resolves');
  });

  it('boots product-service and order-service: they join Kafka and report ready', async () => {
    for (const app of ['product-service', 'order-service']) {
      const res = await fetch(`${system.apps[app][0].url}/health/ready`);
      assert.equal(res.status, 200, `${app} is ready`);
      const body = (await res.json()) as { details: Record<string, { status: string }> };
      assert.deepEqual(Object.keys(body.details).sort(), ['kafka', 'mongodb']);
    }
  });
});
