import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { ERROR_CODES, StockMovementMessage } from '@shop/contracts';
import { eventually, fakeKafka, KafkaServerRef, ShopError, testDatabase } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { releasesPending } from './metrics';
import { PendingRelease, PendingReleaseSchema } from './schemas/pending-release.schema';
import { StockReleases } from './stock-releases';

const [A, B] = ['6650f0c2a1b2c3d4e5f60731', '6650f0c2a1b2c3d4e5f60732'];
const unreachable = () => new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, 'The message broker cannot be reached; try again shortly');

/**
 * Releases of a rejected order on the real database (the server `npm run test:medium`
 * starts), with the broker faked at the service's edge: it refuses releases while `down`
 * says so, as kafkajs does when a broker stays unreachable past the producer's retries.
 */
describe('StockReleases on the database', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let pending: Model<PendingRelease>;
  let down: (productId: string) => Error | undefined;
  /** Releases product-service answered: `<orderId>:<productId>`. */
  let answered: string[];
  let kafka: ReturnType<typeof fakeKafka>;
  const started: StockReleases[] = [];

  /** While true, every query on the model flakyPending() gives fails, as the driver's do with the database unreachable. */
  let databaseDown = false;
  const unreachableQuery = (): unknown => ({ limit: unreachableQuery, lean: unreachableQuery, exec: () => Promise.reject(new Error('connect ECONNREFUSED: database unreachable')) });
  const flakyPending = (): Model<PendingRelease> =>
    new Proxy(pending, {
      get: (target, prop, receiver) => (databaseDown && ['updateOne', 'find', 'countDocuments', 'deleteOne'].includes(String(prop)) ? unreachableQuery : Reflect.get(target, prop, receiver)),
    });

  /** A process's StockReleases, booted (in a consumer group `group`): it sends again what it finds pending. */
  const boot = (group = new KafkaServerRef(), model = pending) => {
    const releases = new StockReleases(model, kafka.rpc, group, 5);
    releases.onApplicationBootstrap();
    started.push(releases);
    return releases;
  };
  const pendingIds = async () => (await pending.find().sort({ _id: 1 }).lean<PendingRelease[]>().exec()).map((p) => p._id);
  const gauge = async () => (await releasesPending.get()).values[0]?.value;

  before(async () => {
    db = await testDatabase('releases');
    pending = db.connection.model(PendingRelease.name, PendingReleaseSchema);
  });
  after(() => db.close());
  /** Each test's own order, so that nothing of one test's rows can meet another's. */
  let ORDER: string;

  beforeEach(async () => {
    ORDER = new Types.ObjectId().toHexString();
    await pending.deleteMany({});
    answered = [];
    down = () => undefined;
    databaseDown = false;
    releasesPending.reset(); // a round a stopped process skipped may have left it set
    kafka = fakeKafka((_contract, request) => {
      const { orderId, productId } = request as StockMovementMessage;
      const error = down(productId);
      if (error) throw error;
      answered.push(`${orderId}:${productId}`);
      return { productId, kind: 'release', applied: true, stock: 1 };
    });
  });
  afterEach(async () => {
    // Every process of a test stopped, and its last round over, before the next test starts.
    for (const releases of started.splice(0)) {
      await releases.onModuleDestroy();
      await eventually(() => !releases.busy, 'a stopped process to end its last round');
    }
  });

  it('writes nothing down when every release is confirmed', async () => {
    await boot().release(ORDER, [A, B]);
    assert.deepEqual(answered, [`${ORDER}:${A}`, `${ORDER}:${B}`]);
    assert.deepEqual(await pendingIds(), []);
  });

  it('writes down a release the broker would not take, sends it again until it is confirmed, then strikes it off', async () => {
    down = (productId) => (productId === A ? unreachable() : undefined);
    const releases = boot();
    await releases.release(ORDER, [A, B]);
    assert.deepEqual(answered, [`${ORDER}:${B}`], 'B released at once');
    assert.deepEqual(await pendingIds(), [`${ORDER}:${A}`], 'A written down before the order is decided');
    assert.equal(await gauge(), 1, 'order_releases_pending says so');

    await eventually(() => kafka.sent.filter((s) => (s.value as StockMovementMessage).productId === A).length >= 3, 'A sent again while the broker is down');
    assert.deepEqual(await pendingIds(), [`${ORDER}:${A}`], 'and kept while unconfirmed');
    down = () => undefined; // the broker is back
    await eventually(async () => (await pendingIds()).length === 0, 'the release of A confirmed and struck off');
    assert.deepEqual(answered, [`${ORDER}:${B}`, `${ORDER}:${A}`]);
    assert.ok(kafka.sent.every((s) => s.mustApply), 'a release is never skipped for being late');
    await eventually(async () => (await gauge()) === 0, 'order_releases_pending back to 0');
  });

  it('sends, when it starts, the releases a process that died left unconfirmed', async () => {
    down = () => unreachable();
    const dead = boot();
    await dead.release(ORDER, [A]);
    await dead.onModuleDestroy(); // it stops before the broker is back
    await eventually(() => !dead.busy, 'its last round to end');
    down = () => undefined;
    boot();
    await eventually(async () => (await pendingIds()).length === 0, 'the next process to release A');
    assert.deepEqual(answered, [`${ORDER}:${A}`]);
  });

  it('takes up, when its group rebalances, the releases a replica that left it had not confirmed', async () => {
    const group = new KafkaServerRef();
    const survivor = boot(group);
    await eventually(() => !survivor.busy, 'the survivor to find nothing pending at its start');
    down = () => unreachable();
    const dead = boot();
    await dead.release(ORDER, [A]);
    await dead.onModuleDestroy(); // SIGKILLed: nobody starts in its place
    await eventually(() => !dead.busy, 'its last round to end');
    down = () => undefined;
    assert.deepEqual(await pendingIds(), [`${ORDER}:${A}`], 'nothing sends it while the group stands still');
    group.rebalanced(); // the group notices the replica is gone
    await eventually(async () => (await pendingIds()).length === 0, 'the survivor to release A');
    assert.deepEqual(answered, [`${ORDER}:${A}`]);
    await survivor.onModuleDestroy();
  });

  it('strikes off a release product-service refuses (4xx): sending it again would change nothing', async () => {
    down = () => new ShopError(404, ERROR_CODES.PRODUCT_NOT_FOUND, `Product ${A} not found`);
    await boot().release(ORDER, [A]);
    assert.deepEqual(await pendingIds(), []);
  });

  it('strikes off a pending release once product-service refuses it (4xx) on a later round', async () => {
    down = () => unreachable();
    const releases = boot();
    await releases.release(ORDER, [A]);
    assert.deepEqual(await pendingIds(), [`${ORDER}:${A}`]);
    down = () => new ShopError(404, ERROR_CODES.PRODUCT_NOT_FOUND, `Product ${A} not found`); // deleted meanwhile
    await eventually(async () => (await pendingIds()).length === 0, 'the refused release struck off');
    assert.deepEqual(answered, [], 'never answered as applied');
  });

  it('holds a release it can neither send nor write down, and writes it down once the database is back', async () => {
    down = () => unreachable();
    databaseDown = true;
    const releases = boot(new KafkaServerRef(), flakyPending());
    await releases.release(ORDER, [A]); // resolves: the order is decided as usual
    assert.deepEqual(await pendingIds(), [], 'nothing could be written');
    assert.equal(await gauge(), 1, 'order_releases_pending counts the held release');
    await eventually(() => kafka.sent.length >= 3, 'the held release sent again while both are down');

    databaseDown = false;
    await eventually(async () => (await pendingIds()).includes(`${ORDER}:${A}`), 'the held release written down once the database is back');
    down = () => undefined; // the broker is back
    await eventually(async () => (await pendingIds()).length === 0, 'then confirmed and struck off');
    assert.deepEqual(answered, [`${ORDER}:${A}`]);
    await eventually(async () => (await gauge()) === 0, 'order_releases_pending back to 0');
  });

  it('writes down, as it stops, a release it holds, once the database is back', async () => {
    down = () => unreachable();
    databaseDown = true;
    const releases = new StockReleases(flakyPending(), kafka.rpc, new KafkaServerRef(), 60_000); // no round before the stop
    releases.onApplicationBootstrap();
    started.push(releases);
    await releases.release(ORDER, [A]);
    databaseDown = false;
    await releases.onModuleDestroy();
    assert.deepEqual(await pendingIds(), [`${ORDER}:${A}`], 'written down for the next process to send');
  });

  it('sends a held release once the broker is back, with the database still away, and writes nothing', async () => {
    down = () => unreachable();
    databaseDown = true;
    const releases = boot(new KafkaServerRef(), flakyPending());
    await releases.release(ORDER, [A, B]);
    down = () => undefined;
    await eventually(() => answered.length === 2, 'both held releases confirmed');
    assert.deepEqual([...answered].sort(), [`${ORDER}:${A}`, `${ORDER}:${B}`]);
    assert.equal(await gauge(), 0, 'none waits any more');
    databaseDown = false; // lets the rounds that could not read pending_releases end
    await eventually(() => !releases.busy, 'its rounds to end');
    assert.deepEqual(await pendingIds(), [], 'nothing was ever written down');
  });
});
