import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import { EventContract } from '@shop/contracts';
import { EventPublisher, ShopError, shopErrorOf } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { User, UserDocument } from './schemas/user.schema';
import { isDuplicateKey } from '@shop/platform';
import { toUserResponse, UsersService } from './users.service';

const CREATED = new Date('2026-01-02T03:04:05.006Z');
const UPDATED = new Date('2026-01-03T00:00:00.000Z');

/** A user document as mongoose hands it back, with the fields that must not leave the service. */
function userDoc(fields: Partial<{ email: string; name: string }> = {}): UserDocument {
  return {
    _id: new Types.ObjectId(),
    email: fields.email ?? 'ada@example.com',
    name: fields.name ?? 'Ada Lovelace',
    createdAt: CREATED,
    updatedAt: UPDATED,
    __v: 0,
  } as unknown as UserDocument;
}

/** A mongoose query that answers `result`, recording the sort, skip, limit and lean it was given in `calls`. */
function query<T>(result: T | Error, calls: Record<string, unknown> = {}) {
  const chain = {
    lean() {
      calls.lean = true;
      return chain;
    },
    sort(value: unknown) {
      calls.sort = value;
      return chain;
    },
    skip(value: unknown) {
      calls.skip = value;
      return chain;
    },
    limit(value: unknown) {
      calls.limit = value;
      return chain;
    },
    async exec() {
      if (result instanceof Error) throw result;
      return result;
    },
  };
  return chain;
}

function duplicateKeyError(): Error {
  return Object.assign(new Error('E11000 duplicate key error collection: shop.users index: email_1 dup key'), { code: 11000 });
}

/** UsersService over a fake model and a fake EventPublisher that records every event with the key its contract derives. */
function setup(model: Record<string, unknown>) {
  const events: { event: string; key: string; payload: unknown }[] = [];
  const rpc = {
    publish: async <P>(event: EventContract<P>, payload: P) => void events.push({ event: event.topic, key: event.key.of(payload), payload }),
  } as unknown as EventPublisher;
  const service = new UsersService({ createIndexes: async () => undefined, ...model } as unknown as Model<User>, rpc);
  return { service, events };
}


before(() => Logger.overrideLogger(false));
after(() => Logger.overrideLogger(true));

describe('toUserResponse', () => {
  it('gives only id, email, name and ISO timestamps: no _id, no __v', () => {
    const doc = userDoc();
    assert.deepEqual(toUserResponse(doc), {
      id: doc._id.toHexString(),
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      createdAt: '2026-01-02T03:04:05.006Z',
      updatedAt: '2026-01-03T00:00:00.000Z',
    });
  });

  it('gives the id as 24 hex characters', () => {
    assert.match(toUserResponse(userDoc()).id, /^[0-9a-f]{24}$/);
  });
});

describe('isDuplicateKey', () => {
  it('recognises MongoDB\'s duplicate key code 11000', () => {
    assert.equal(isDuplicateKey(duplicateKeyError()), true);
    assert.equal(isDuplicateKey({ code: 11000 }), true);
  });

  it('recognises FerretDB\'s SQLite unique constraint message', () => {
    assert.equal(isDuplicateKey(new Error('UNIQUE constraint failed: users.email')), true);
  });

  it('does not take other errors for a duplicate', () => {
    assert.equal(isDuplicateKey(new Error('connection refused')), false);
    assert.equal(isDuplicateKey({ code: 11001 }), false);
    assert.equal(isDuplicateKey({ code: '11000' }), false);
    assert.equal(isDuplicateKey({ message: 42 }), false);
  });

  it('does not take non-objects for a duplicate', () => {
    for (const value of [null, undefined, 11000, 'UNIQUE constraint failed', true]) {
      assert.equal(isDuplicateKey(value), false, `${String(value)} is not a duplicate key error`);
    }
  });
});

describe('UsersService.create', () => {
  it('stores the user, answers its response and emits user.created keyed by the user id', async () => {
    const doc = userDoc();
    const stored: unknown[] = [];
    const { service, events } = setup({
      create: async (request: unknown) => {
        stored.push(request);
        return doc;
      },
    });
    const response = await service.create({ email: 'ada@example.com', name: 'Ada Lovelace' });
    const expected = {
      id: doc._id.toHexString(),
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      createdAt: '2026-01-02T03:04:05.006Z',
      updatedAt: '2026-01-03T00:00:00.000Z',
    };
    assert.deepEqual(stored, [{ email: 'ada@example.com', name: 'Ada Lovelace' }]);
    assert.deepEqual(response, expected);
    assert.deepEqual(events, [{ event: 'user.created', key: expected.id, payload: expected }]);
  });

  it('answers 409 USER_EMAIL_TAKEN for a taken email and emits nothing', async () => {
    const { service, events } = setup({ create: async () => Promise.reject(duplicateKeyError()) });
    const error = await shopErrorOf(service.create({ email: 'ada@example.com', name: 'Ada' }));
    assert.deepEqual(error.toWire(), {
      statusCode: 409,
      code: 'USER_EMAIL_TAKEN',
      message: 'A user with email ada@example.com already exists',
      details: { email: 'ada@example.com' },
    });
    assert.deepEqual(events, []);
  });

  it('passes any other database failure through unchanged and emits nothing', async () => {
    const failure = new Error('connection refused');
    const { service, events } = setup({ create: async () => Promise.reject(failure) });
    await assert.rejects(service.create({ email: 'ada@example.com', name: 'Ada' }), (error) => error === failure);
    assert.deepEqual(events, []);
  });
});

describe('UsersService.get', () => {
  it('answers the user', async () => {
    const doc = userDoc();
    const { service } = setup({ findById: (id: string) => query(id === doc._id.toHexString() ? doc : null) });
    assert.deepEqual(await service.get(doc._id.toHexString()), toUserResponse(doc));
  });

  it('answers 404 USER_NOT_FOUND for an id that does not exist', async () => {
    const { service } = setup({ findById: () => query(null) });
    const error = await shopErrorOf(service.get('6650f0c2a1b2c3d4e5f60718'));
    assert.deepEqual(error.toWire(), {
      statusCode: 404,
      code: 'USER_NOT_FOUND',
      message: 'User 6650f0c2a1b2c3d4e5f60718 does not exist',
    });
  });
});

describe('UsersService.list', () => {
  it('answers one page in id order with the total', async () => {
    const docs = [userDoc({ email: 'a@example.com' }), userDoc({ email: 'b@example.com' })];
    const calls: Record<string, unknown> = {};
    const { service } = setup({ find: () => query(docs, calls), countDocuments: () => query(7) });
    const page = await service.list({ limit: 2, offset: 4 });
    assert.deepEqual(page, { items: docs.map(toUserResponse), total: 7, limit: 2, offset: 4 });
    assert.deepEqual(calls, { sort: { _id: 1 }, skip: 4, limit: 2, lean: true });
  });
});

describe('UsersService.update', () => {
  it('answers the updated user', async () => {
    const doc = userDoc({ name: 'Ada King' });
    const { service } = setup({ findByIdAndUpdate: () => query(doc) });
    assert.deepEqual(await service.update(doc._id.toHexString(), { name: 'Ada King' }), toUserResponse(doc));
  });

  it('answers 409 USER_EMAIL_TAKEN when the new email belongs to another user', async () => {
    const { service } = setup({ findByIdAndUpdate: () => query(new Error('UNIQUE constraint failed: users.email')) });
    const error = await shopErrorOf(service.update('6650f0c2a1b2c3d4e5f60718', { email: 'grace@example.com' }));
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'USER_EMAIL_TAKEN');
    assert.deepEqual(error.details, { email: 'grace@example.com' });
  });

  it('answers 404 USER_NOT_FOUND for an id that does not exist', async () => {
    const { service } = setup({ findByIdAndUpdate: () => query(null) });
    const error = await shopErrorOf(service.update('6650f0c2a1b2c3d4e5f60718', { name: 'x' }));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'USER_NOT_FOUND');
  });
});

describe('UsersService.remove', () => {
  it('deletes the user and emits user.deleted keyed by its id', async () => {
    const doc = userDoc();
    const id = doc._id.toHexString();
    const { service, events } = setup({ findByIdAndDelete: () => query(doc) });
    assert.deepEqual(await service.remove(id), { id, deleted: true });
    assert.equal(events.length, 1);
    const [{ event, key, payload }] = events;
    assert.equal(event, 'user.deleted');
    assert.equal(key, id);
    const { deletedAt, ...rest } = payload as { id: string; deletedAt: string };
    assert.deepEqual(rest, { id });
    assert.equal(new Date(deletedAt).toISOString(), deletedAt, 'deletedAt is an ISO timestamp');
  });

  it('answers 404 USER_NOT_FOUND for an id that does not exist and emits nothing', async () => {
    const { service, events } = setup({ findByIdAndDelete: () => query(null) });
    const error = await shopErrorOf(service.remove('6650f0c2a1b2c3d4e5f60718'));
    assert.equal(error.statusCode, 404);
    assert.equal(error.code, 'USER_NOT_FOUND');
    assert.deepEqual(events, []);
  });
});
