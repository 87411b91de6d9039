import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgumentMetadata, ValidationError } from '@nestjs/common';
import { CreateUserRequest, FieldError, IdRequest, PageRequest, UpdateProductRequest } from '@shop/contracts';
import { ShopError } from './shop.error';
import { findOperatorKeys, flattenValidationErrors, ShopValidationPipe } from './validation.pipe';

const body = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype, data: '' });
/** What NestJS passes for a bare @Body(): no data at all. */
const wholeBody = (metatype: ArgumentMetadata['metatype']): ArgumentMetadata => ({ type: 'body', metatype });

/** Runs the pipe and returns the ShopError it throws; fails the test if it does not throw one. */
async function rejection(value: unknown, metadata: ArgumentMetadata): Promise<ShopError> {
  try {
    await new ShopValidationPipe().transform(value, metadata);
  } catch (error) {
    assert.ok(error instanceof ShopError, `expected a ShopError, got ${String(error)}`);
    return error;
  }
  assert.fail('the pipe accepted the value');
}

describe('findOperatorKeys', () => {
  it('finds nothing in an ordinary object', () => {
    assert.deepEqual(findOperatorKeys({ email: 'ada@example.com', tags: ['a', 'b'], nested: { name: 'x' } }), []);
  });

  it('finds nothing in scalars, null and undefined', () => {
    for (const value of ['$gt', 42, true, null, undefined]) assert.deepEqual(findOperatorKeys(value), []);
  });

  it('reports a top-level $ key by its name', () => {
    assert.deepEqual(findOperatorKeys({ $where: 'sleep(1000)' }), ['$where']);
  });

  it('reports a $ key inside a nested object by its dotted path', () => {
    assert.deepEqual(findOperatorKeys({ email: { $gt: '' } }), ['email.$gt']);
  });

  it('reports a key containing a dot', () => {
    assert.deepEqual(findOperatorKeys({ 'profile.admin': true }), ['profile.admin']);
  });

  it('reports keys inside arrays with the index in the path', () => {
    assert.deepEqual(findOperatorKeys({ items: [{ ok: 1 }, { $ne: null }] }), ['items.1.$ne']);
  });

  it('reports keys inside a top-level array starting from the index', () => {
    assert.deepEqual(findOperatorKeys([{ a: 1 }, { $or: [] }]), ['1.$or']);
  });

  it('reports an operator key and also the bad keys beneath it', () => {
    assert.deepEqual(findOperatorKeys({ $and: [{ 'a.b': 1 }] }), ['$and', '$and.0.a.b']);
  });

  it('reports every bad key, not only the first', () => {
    assert.deepEqual(findOperatorKeys({ $a: 1, b: { $c: 2 }, 'd.e': 3 }).sort(), ['$a', 'b.$c', 'd.e']);
  });

  it('does not flag a $ or dot that is only in a value', () => {
    assert.deepEqual(findOperatorKeys({ price: '$5.00' }), []);
  });
});

describe('flattenValidationErrors', () => {
  it('gives one entry per field with its messages', () => {
    const errors: ValidationError[] = [
      { property: 'email', constraints: { isEmail: 'email must be an email', maxLength: 'too long' }, children: [] },
      { property: 'name', constraints: { isString: 'name must be a string' }, children: [] },
    ];
    assert.deepEqual(flattenValidationErrors(errors), [
      { field: 'email', errors: ['email must be an email', 'too long'] },
      { field: 'name', errors: ['name must be a string'] },
    ]);
  });

  it('names nested children by their dotted path', () => {
    const errors: ValidationError[] = [
      {
        property: 'address',
        children: [
          { property: 'city', constraints: { isString: 'city must be a string' }, children: [] },
          { property: 'geo', children: [{ property: 'lat', constraints: { isNumber: 'lat must be a number' }, children: [] }] },
        ],
      },
    ];
    assert.deepEqual(flattenValidationErrors(errors), [
      { field: 'address.city', errors: ['city must be a string'] },
      { field: 'address.geo.lat', errors: ['lat must be a number'] },
    ]);
  });

  it('keeps a parent that has its own messages as well as its children', () => {
    const errors: ValidationError[] = [
      {
        property: 'items',
        constraints: { arrayMaxSize: 'too many items' },
        children: [{ property: '0', constraints: { isInt: 'must be an integer' }, children: [] }],
      },
    ];
    assert.deepEqual(flattenValidationErrors(errors), [
      { field: 'items', errors: ['too many items'] },
      { field: 'items.0', errors: ['must be an integer'] },
    ]);
  });

  it('gives nothing for no errors', () => {
    assert.deepEqual(flattenValidationErrors([]), []);
  });
});

describe('ShopValidationPipe', () => {
  it('turns a valid body into the contract class with the email lowercased', async () => {
    const result = await new ShopValidationPipe().transform({ email: 'Ada@Example.COM', name: 'Ada Lovelace', password: 'correct-horse-battery' }, body(CreateUserRequest));
    assert.ok(result instanceof CreateUserRequest);
    assert.deepEqual({ ...result }, { email: 'ada@example.com', name: 'Ada Lovelace', password: 'correct-horse-battery', role: undefined });
  });

  it('refuses what the document refuses: padded text, and null for a field that may only be left out', async () => {
    const padded = await rejection({ email: ' ada@example.com', name: ' Ada', password: 'correct-horse-battery', role: null }, body(CreateUserRequest));
    assert.deepEqual((padded.details as FieldError[]).map((e) => e.field), ['email', 'name', 'role']);
    const patch = await rejection({ lowStockThreshold: null }, body(UpdateProductRequest));
    assert.deepEqual(patch.details, [{ field: 'lowStockThreshold', errors: ['lowStockThreshold must not be greater than 1000000000', 'lowStockThreshold must not be less than 0', 'lowStockThreshold must be an integer number'] }]);
  });

  it('converts a query string limit to a number and keeps the default offset', async () => {
    const result = await new ShopValidationPipe().transform({ limit: '5' }, { type: 'query', metatype: PageRequest, data: '' });
    assert.ok(result instanceof PageRequest);
    assert.deepEqual({ ...result }, { limit: 5, offset: 0 });
  });

  it('refuses an unknown field with 400 VALIDATION_FAILED naming that field', async () => {
    const error = await rejection({ email: 'ada@example.com', name: 'Ada', password: 'correct-horse-battery', isAdmin: true }, body(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(error.details, [{ field: 'isAdmin', errors: ['property isAdmin should not exist'] }]);
  });

  it('lists every bad field at once', async () => {
    const error = await rejection({ email: 'not-an-email', name: '', role: 'root' }, body(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'VALIDATION_FAILED');
    const fields = (error.details as { field: string }[]).map((d) => d.field).sort();
    assert.deepEqual(fields, ['email', 'name', 'password', 'role']);
    assert.equal(error.message, 'Invalid input: email, name, password, role');
  });

  it('refuses a limit above the page size maximum', async () => {
    const error = await rejection({ limit: '1000' }, { type: 'query', metatype: PageRequest, data: '' });
    assert.equal(error.statusCode, 400);
    assert.deepEqual((error.details as { field: string }[]).map((d) => d.field), ['limit']);
  });

  it('refuses an id that is not an ObjectId with the contract message', async () => {
    const error = await rejection({ id: 'abc' }, { type: 'param', metatype: IdRequest, data: '' });
    assert.equal(error.statusCode, 400);
    assert.deepEqual(error.details, [{ field: 'id', errors: ['id must be a MongoDB ObjectId (24 hex characters)'] }]);
  });

  it('refuses an operator object with 400 naming its path, before any other check', async () => {
    const error = await rejection({ email: { $gt: '' }, name: 'Ada' }, body(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(error.details, [
      { field: 'email.$gt', errors: ['email.$gt is not allowed: keys may not start with $ or contain a dot'] },
    ]);
  });

  it('refuses a JSON array where an object is expected', async () => {
    const error = await rejection([{ email: 'ada@example.com', name: 'Ada' }], wholeBody(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual(error.details, [{ field: 'body', errors: ['must be a JSON object'] }]);
  });

  it('refuses a JSON array with an empty parameter name as well', async () => {
    const error = await rejection([], body(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.equal(error.code, 'VALIDATION_FAILED');
    assert.deepEqual((error.details as { errors: string[] }[]).map((d) => d.errors), [['must be a JSON object']]);
  });

  it('refuses a JSON string where an object is expected', async () => {
    const error = await rejection('ada@example.com', wholeBody(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.deepEqual(error.details, [{ field: 'body', errors: ['must be a JSON object'] }]);
  });

  it('refuses a missing body where an object is expected', async () => {
    const error = await rejection(undefined, wholeBody(CreateUserRequest));
    assert.equal(error.statusCode, 400);
    assert.deepEqual(error.details, [{ field: 'body', errors: ['must be a JSON object'] }]);
  });

  it('names the parameter when the metadata has one', async () => {
    const error = await rejection(['x'], { type: 'param', metatype: IdRequest, data: 'id' });
    assert.deepEqual(error.details, [{ field: 'id', errors: ['must be a JSON object'] }]);
  });

  it('passes a primitive parameter through unchanged', async () => {
    const result = await new ShopValidationPipe().transform('6650f0c2a1b2c3d4e5f60718', { type: 'param', metatype: String, data: 'id' });
    assert.equal(result, '6650f0c2a1b2c3d4e5f60718');
  });
});
