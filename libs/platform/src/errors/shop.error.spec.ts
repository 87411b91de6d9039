import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShopError } from './shop.error';

describe('ShopError', () => {
  it('is an Error with its status, code and message', () => {
    const error = new ShopError(409, 'USER_EMAIL_TAKEN', 'A user with email a@b.c already exists', { email: 'a@b.c' });
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ShopError');
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'USER_EMAIL_TAKEN');
    assert.equal(error.message, 'A user with email a@b.c already exists');
    assert.deepEqual(error.details, { email: 'a@b.c' });
  });

  it('puts status, code, message and details on the wire and nothing else', () => {
    const wire = new ShopError(409, 'USER_EMAIL_TAKEN', 'taken', { email: 'a@b.c' }).toWire();
    assert.deepEqual(wire, { statusCode: 409, code: 'USER_EMAIL_TAKEN', message: 'taken', details: { email: 'a@b.c' } });
  });

  it('leaves details off the wire when there are none', () => {
    const wire = new ShopError(404, 'USER_NOT_FOUND', 'gone').toWire();
    assert.deepEqual(wire, { statusCode: 404, code: 'USER_NOT_FOUND', message: 'gone' });
    assert.equal('details' in wire, false);
  });

  it('keeps falsy details such as null or 0 on the wire', () => {
    assert.deepEqual(new ShopError(400, 'X', 'm', null).toWire(), { statusCode: 400, code: 'X', message: 'm', details: null });
    assert.deepEqual(new ShopError(400, 'X', 'm', 0).toWire(), { statusCode: 400, code: 'X', message: 'm', details: 0 });
  });

  it('comes back the same after crossing Kafka as JSON', () => {
    const sent = new ShopError(504, 'RPC_TIMEOUT', 'No answer to user.get within 100 ms', { pattern: 'user.get', timeoutMs: 100 });
    const received = ShopError.fromWire(JSON.parse(JSON.stringify(sent.toWire())));
    assert.ok(received instanceof ShopError);
    assert.equal(received.statusCode, 504);
    assert.equal(received.code, 'RPC_TIMEOUT');
    assert.equal(received.message, 'No answer to user.get within 100 ms');
    assert.deepEqual(received.details, { pattern: 'user.get', timeoutMs: 100 });
    assert.deepEqual(received.toWire(), sent.toWire());
  });

  it('builds a 400 VALIDATION_FAILED that names every bad field', () => {
    const fields = [
      { field: 'email', errors: ['email must be a valid email address'] },
      { field: 'name', errors: ['name must be a string'] },
    ];
    const error = ShopError.validation(fields);
    assert.deepEqual(error.toWire(), {
      statusCode: 400,
      code: 'VALIDATION_FAILED',
      message: 'Invalid input: email, name',
      details: fields,
    });
  });

  it('builds a 404 that says what does not exist', () => {
    const error = ShopError.notFound('USER_NOT_FOUND', 'User', '6650f0c2a1b2c3d4e5f60718');
    assert.deepEqual(error.toWire(), {
      statusCode: 404,
      code: 'USER_NOT_FOUND',
      message: 'User 6650f0c2a1b2c3d4e5f60718 does not exist',
    });
  });
});
