import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Principal } from '@shop/contracts';
import { fakeKafka, KafkaServerRef, requestContext, SecretSeal, shopErrorOf, testDatabase } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { User, UserSchema } from './schemas/user.schema';
import { UserCache } from './user.cache';
import { UsersService } from './users.service';

const seal = new SecretSeal('a-secret-of-at-least-thirty-two-characters');
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** As the gateway would send it: the password sealed. */
function newUser(email: string, password = 'correct-horse-battery', role: 'customer' | 'admin' = 'customer') {
  return { email, name: 'Ada Lovelace', role, sealedPassword: seal.seal(password) };
}

const as = <T>(principal: Principal, fn: () => Promise<T>) => requestContext.run({ requestId: 'test', principal }, fn);

/** Users, passwords and who may touch whom, on the real database (the server `npm run test:medium` starts); Kafka faked at the edge. */
describe('UsersService on the database', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let users: Model<User>;
  let kafka: ReturnType<typeof fakeKafka>;
  let service: UsersService;

  before(async () => {
    db = await testDatabase('users');
    users = db.connection.model(User.name, UserSchema);
    await users.init();
  });
  after(() => db.close());
  beforeEach(() => {
    kafka = fakeKafka();
    service = new UsersService(users, kafka.events, seal, new UserCache(new KafkaServerRef()));
  });

  it('creates a user with a role, stores only a slow hash of the password, and publishes user.created without it', async () => {
    const created = await service.create(newUser('Ada@Example.com '));
    assert.deepEqual(Object.keys(created).sort(), ['createdAt', 'email', 'id', 'name', 'role', 'updatedAt']);
    assert.equal(created.email, 'ada@example.com');
    assert.equal(created.role, 'customer');
    assert.match(created.createdAt, ISO);
    const stored = await users.findById(created.id).lean().exec();
    assert.match(stored!.passwordHash!, /^scrypt\$/);
    assert.equal(JSON.stringify(stored).includes('correct-horse-battery'), false);
    assert.deepEqual(kafka.published, [{ topic: 'user.created', key: created.id, value: created }]);
    const readBack = await service.get(created.id);
    assert.equal('passwordHash' in readBack, false);
  });

  it('answers 409 USER_EMAIL_TAKEN for a taken email, whatever its case', async () => {
    await service.create(newUser('grace@example.com'));
    const error = await shopErrorOf(service.create(newUser('GRACE@example.com')));
    assert.equal(error.statusCode, 409);
    assert.equal(error.code, 'USER_EMAIL_TAKEN');
  });

  it('authenticates the right password, and answers unknown emails and wrong passwords with the same 401', async () => {
    const user = await service.create(newUser('login@example.com', 'the-right-password'));
    const who = await service.authenticate({ email: ' LOGIN@example.com', sealedPassword: seal.seal('the-right-password') });
    assert.deepEqual(who, user);
    const wrong = await shopErrorOf(service.authenticate({ email: 'login@example.com', sealedPassword: seal.seal('the-wrong-password') }));
    const unknown = await shopErrorOf(service.authenticate({ email: 'nobody@example.com', sealedPassword: seal.seal('the-right-password') }));
    assert.deepEqual(wrong.toWire(), { statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'The email or password is wrong' });
    assert.deepEqual(unknown.toWire(), wrong.toWire());
  });

  it('refuses a password sealed with another key with a 400, storing nothing', async () => {
    const foreign = new SecretSeal('another-secret-of-at-least-thirty-two-chars');
    const error = await shopErrorOf(service.create({ ...newUser('sealed@example.com'), sealedPassword: foreign.seal('correct-horse-battery') }));
    assert.equal(error.statusCode, 400);
    assert.equal(await users.countDocuments({ email: 'sealed@example.com' }), 0);
  });

  it('answers a user it read from memory, and its own update and delete at the next read', async () => {
    const ada = await service.create(newUser('cached@example.com'));
    assert.equal((await service.get(ada.id)).name, 'Ada Lovelace');
    // Written behind the service's back: the replica that owns a user sees every write of it, so it does not read again.
    await users.updateOne({ _id: ada.id }, { $set: { name: 'Behind the back' } }).exec();
    assert.equal((await service.get(ada.id)).name, 'Ada Lovelace');
    await service.update({ id: ada.id, name: 'Ada King' });
    assert.equal((await service.get(ada.id)).name, 'Ada King');
    await service.remove(ada.id);
    assert.equal((await shopErrorOf(service.get(ada.id))).code, 'USER_NOT_FOUND');
  });

  it('lets a customer read, change and delete only itself; another user is 403 FORBIDDEN', async () => {
    const ada = await service.create(newUser('own-ada@example.com'));
    const bob = await service.create(newUser('own-bob@example.com'));
    const customer: Principal = { id: ada.id, role: 'customer' };
    assert.equal((await as(customer, () => service.get(ada.id))).id, ada.id);
    assert.equal((await as(customer, () => service.update({ id: ada.id, name: 'Ada King' }))).name, 'Ada King');
    const attempts: Array<() => Promise<unknown>> = [() => service.get(bob.id), () => service.update({ id: bob.id, name: 'x' }), () => service.remove(bob.id), () => service.list({ limit: 5, offset: 0 })];
    for (const attempt of attempts) {
      const error = await shopErrorOf(as<unknown>(customer, attempt));
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, 'FORBIDDEN');
    }
    assert.equal((await service.get(bob.id)).name, 'Ada Lovelace', 'bob is untouched');
    await as(customer, () => service.remove(ada.id));
    assert.equal(await users.countDocuments({ _id: ada.id }), 0);
  });

  it('lets only an admin change a role', async () => {
    const ada = await service.create(newUser('role-ada@example.com'));
    const error = await shopErrorOf(as({ id: ada.id, role: 'customer' }, () => service.update({ id: ada.id, role: 'admin' })));
    assert.equal(error.code, 'FORBIDDEN');
    const admin: Principal = { id: new Types.ObjectId().toHexString(), role: 'admin' };
    assert.equal((await as(admin, () => service.update({ id: ada.id, role: 'admin' }))).role, 'admin');
  });

  it('changes a password: the new one logs in, the old one no longer does', async () => {
    const ada = await service.create(newUser('pw-ada@example.com', 'the-old-password'));
    await as({ id: ada.id, role: 'customer' }, () => service.update({ id: ada.id, sealedPassword: seal.seal('the-new-password') }));
    assert.equal((await service.authenticate({ email: 'pw-ada@example.com', sealedPassword: seal.seal('the-new-password') })).id, ada.id);
    assert.equal((await shopErrorOf(service.authenticate({ email: 'pw-ada@example.com', sealedPassword: seal.seal('the-old-password') }))).code, 'INVALID_CREDENTIALS');
  });

  it('makes sure an account exists once, under its id, and never changes an existing one', async () => {
    const account = { id: new Types.ObjectId().toHexString(), email: 'root@example.com', name: 'Root', role: 'admin' as const, password: 'root-password-1' };
    assert.equal(await service.ensureAccount(account), 'created');
    assert.equal(await service.ensureAccount(account), 'exists');
    assert.equal(await service.ensureAccount({ ...account, password: 'another-password', role: 'customer' }), 'exists');
    const who = await service.authenticate({ email: 'root@example.com', sealedPassword: seal.seal('root-password-1') });
    assert.deepEqual({ id: who.id, role: who.role }, { id: account.id, role: 'admin' });
    assert.deepEqual(kafka.published.map((p) => p.topic), ['user.created']);
  });

  it('leaves an account alone whose id a user with another email holds, without failing', async () => {
    const holder = await service.create(newUser('renamed-demo@example.com'));
    const account = { id: holder.id, email: 'demo-again@example.com', name: 'Demo', role: 'customer' as const, password: 'demo-password-1' };
    assert.equal(await service.ensureAccount(account), 'id taken');
    assert.equal(await users.countDocuments({ email: 'demo-again@example.com' }), 0);
    assert.equal((await service.get(holder.id)).email, 'renamed-demo@example.com');
  });

  it('gives a user from before passwords the account’s password and role, once', async () => {
    const old = await users.collection.insertOne({ email: 'legacy@example.com', name: 'Legacy', createdAt: new Date(), updatedAt: new Date() });
    const account = { id: new Types.ObjectId().toHexString(), email: 'legacy@example.com', name: 'Legacy', role: 'admin' as const, password: 'legacy-password-1' };
    assert.equal(await service.ensureAccount(account), 'adopted');
    assert.equal(await service.ensureAccount({ ...account, password: 'another-password' }), 'exists');
    const who = await service.authenticate({ email: 'legacy@example.com', sealedPassword: seal.seal('legacy-password-1') });
    assert.deepEqual({ id: who.id, role: who.role }, { id: old.insertedId.toHexString(), role: 'admin' });
  });
});
