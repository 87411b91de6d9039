import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { CatchUp, heldBytes, ProductViewState } from './product-view.state';

const id = '65f1c0ffee0000000000abcd';
const catalog = { id, name: 'Keyboard', priceCents: 8999, lowStockThreshold: 5, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z' };
const json = (value: object) => JSON.stringify(value);

describe('ProductViewState', () => {
  it('answers a product once it holds both its catalog fields and its stock, in the field order product-service answers', () => {
    const view = new ProductViewState();
    assert.equal(view.knows(id), false);
    view.apply(`catalog:${id}`, json(catalog));
    assert.equal(view.get(id), undefined, 'no stock yet');
    assert.equal(view.knows(id), false, 'one part: product-service is asked at once');
    view.apply(`stock:${id}`, json({ id, stock: 7 }));
    assert.equal(view.knows(id), true);
    assert.deepEqual(Object.entries(view.get(id)!), Object.entries({ id, name: 'Keyboard', priceCents: 8999, stock: 7, lowStockThreshold: 5, createdAt: catalog.createdAt, updatedAt: catalog.updatedAt }));
    view.apply(`catalog:${id}`, json({ ...catalog, description: 'Tenkeyless' }));
    assert.equal(view.get(id)!.description, 'Tenkeyless');
  });

  it('does not answer a product while either key is pending, nor once deleted', () => {
    const view = new ProductViewState();
    view.apply(`catalog:${id}`, json(catalog));
    view.apply(`stock:${id}`, json({ id, stock: 7 }));
    view.apply(`stock:${id}`, json({ id, pending: true }));
    assert.equal(view.get(id), undefined);
    view.apply(`stock:${id}`, json({ id, stock: 6 }));
    assert.equal(view.get(id)!.stock, 6);
    view.apply(`catalog:${id}`, json({ id, pending: true }));
    assert.equal(view.get(id), undefined);
    view.apply(`catalog:${id}`, json(catalog));
    view.apply(`catalog:${id}`, null);
    assert.equal(view.get(id), undefined);
    assert.equal(view.size, 0);
  });

  it('holds at most its room: the least recently read or written product goes, and is not known any more', () => {
    const ids = ['65f1c0ffee0000000000aaa1', '65f1c0ffee0000000000aaa2', '65f1c0ffee0000000000aaa3'];
    const view = new ProductViewState(2 * heldBytes(json({ ...catalog, id: ids[0] }))); // room for two
    const write = (productId: string) => {
      view.apply(`catalog:${productId}`, json({ ...catalog, id: productId }));
      view.apply(`stock:${productId}`, json({ id: productId, stock: 1 }));
    };
    write(ids[0]);
    write(ids[1]);
    assert.equal(view.get(ids[0])!.id, ids[0], 'a read makes the first the most recently used');
    write(ids[2]);
    assert.deepEqual(
      ids.map((i) => view.knows(i)),
      [true, false, true],
      'the second, least recently used, went',
    );
    assert.equal(view.get(ids[1]), undefined);
    assert.equal(view.size, 2);
    assert.equal(view.dropped, 1);
    view.apply(`stock:${ids[1]}`, json({ id: ids[1], stock: 0 })); // its stock moved: one part is not enough to answer
    assert.equal(view.knows(ids[1]), false);
    write(ids[1]); // both its records again: held again, and the least recently used (the first, read before the third was written) goes
    assert.deepEqual(
      ids.map((i) => view.knows(i)),
      [false, true, true],
    );
  });

  it('frees the room of a product deleted from both parts', () => {
    const view = new ProductViewState(heldBytes(json(catalog))); // room for one
    view.apply(`catalog:${id}`, json(catalog));
    view.apply(`stock:${id}`, json({ id, stock: 7 }));
    view.apply(`catalog:${id}`, null);
    view.apply(`stock:${id}`, null);
    const other = '65f1c0ffee0000000000aaa1';
    view.apply(`catalog:${other}`, json({ ...catalog, id: other }));
    view.apply(`stock:${other}`, json({ id: other, stock: 1 }));
    assert.equal(view.dropped, 0, 'nothing dropped: the deleted product holds no room');
    assert.equal(view.knows(other), true);
  });

  it('skips records it does not understand and keeps what it held', () => {
    const view = new ProductViewState();
    view.apply(`catalog:${id}`, json(catalog));
    view.apply(`stock:${id}`, json({ id, stock: 7 }));
    for (const [key, value] of [['price:1', json({ id: '1' })], [`stock:${id}`, '{not json'], [`stock:${id}`, json({ id: 'another', stock: 1 })], [`stock:${id}`, json({ id, stock: 'many' })], [`catalog:${id}`, 'null'], ['', null]] as const) {
      assert.equal(view.apply(key, value), false, `${key} ${value}`);
    }
    assert.equal(view.get(id)!.stock, 7);
  });
});

describe('CatchUp', () => {
  /** An endOffsets whose answers the test gives, counting the round trips. */
  function broker() {
    const asked: ((ends: Map<number, number>) => void)[] = [];
    const endOffsets = () => new Promise<Map<number, number>>((resolve) => asked.push(resolve));
    return { asked, endOffsets };
  }
  const ends = (...offsets: number[]) => new Map(offsets.map((offset, partition) => [partition, offset]));
  /** Runs `body` with setTimeout under the test's control (mock.timers.tick). */
  async function withMockedTimeouts(body: () => Promise<void>): Promise<void> {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      await body();
    } finally {
      mock.timers.reset();
    }
  }
  /** One turn of the event loop: a round trip asked in this one has been asked. */
  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const settled = async <T>(promise: Promise<T>) => Promise.race([promise, new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')))]);

  it('is caught up once every partition reaches the end the broker gave after the call', async () => {
    const { asked, endOffsets } = broker();
    const catchUp = new CatchUp(endOffsets, 1000);
    catchUp.advance(0, 3);
    const waiting = catchUp.caughtUp();
    await turn();
    asked[0](ends(3, 2));
    assert.equal(await settled(waiting), 'pending', 'partition 1 is at 0 of 2');
    catchUp.advance(1, 2);
    assert.equal(await waiting, true);
  });

  it('shares a round trip among the calls that arrive before it is asked, and asks the next for those that arrive after', async () => {
    const { asked, endOffsets } = broker();
    const catchUp = new CatchUp(endOffsets, 1000);
    const first = [catchUp.caughtUp(), catchUp.caughtUp()];
    await turn();
    assert.equal(asked.length, 1);
    const later = [catchUp.caughtUp(), catchUp.caughtUp()];
    asked[0](ends(0));
    assert.deepEqual(await Promise.all(first), [true, true]);
    await turn();
    assert.equal(asked.length, 2, 'one more round trip, asked after the later calls arrived');
    catchUp.advance(0, 4);
    asked[1](ends(4));
    assert.deepEqual(await Promise.all(later), [true, true]);
  });

  it('answers false when the broker does not answer in time', () =>
    withMockedTimeouts(async () => {
      const catchUp = new CatchUp(() => new Promise(() => undefined), 1000);
      const waiting = catchUp.caughtUp();
      await turn();
      assert.equal(await settled(waiting), 'pending');
      mock.timers.tick(1000);
      assert.equal(await waiting, false);
    }));

  it('answers false when the broker cannot say, and when the view does not get there in time', async () => {
    const failing = new CatchUp(() => Promise.reject(new Error('broker down')), 1000);
    assert.equal(await failing.caughtUp(), false);
    await withMockedTimeouts(async () => {
      const { asked, endOffsets } = broker();
      const catchUp = new CatchUp(endOffsets, 1000);
      const waiting = catchUp.caughtUp();
      await turn();
      asked[0](ends(5));
      assert.equal(await settled(waiting), 'pending');
      mock.timers.tick(1000);
      assert.equal(await waiting, false);
    });
  });

  it('after a reset, waits for the consumer to read from the beginning again', async () => {
    const catchUp = new CatchUp(async () => ends(2), 1000);
    catchUp.advance(0, 2);
    assert.equal(await catchUp.caughtUp(), true);
    catchUp.reset();
    const waiting = catchUp.caughtUp();
    assert.equal(await settled(waiting), 'pending');
    catchUp.advance(0, 2);
    assert.equal(await waiting, true);
  });
});
