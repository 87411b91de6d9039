import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import type { KafkaMessage } from 'kafkajs';
import { BatchControls, handleKeyedBatch } from './keyed-batch';

const message = (offset: number, key: string | null): KafkaMessage => ({ offset: String(offset), key: key === null ? null : Buffer.from(key), value: null, timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

/** A batch of messages `[offset, key]`, recording what was resolved and what ran. */
function batchOf(keys: (string | null)[], options: { stale?: () => boolean; heartbeat?: () => Promise<void> } = {}) {
  const resolved: string[] = [];
  const controls: BatchControls = {
    batch: { topic: 't', partition: 0, messages: keys.map((k, i) => message(i, k)) } as never,
    resolveOffset: (offset) => void resolved.push(offset),
    heartbeat: options.heartbeat ?? (async () => undefined),
    isRunning: () => true,
    isStale: options.stale ?? (() => false),
  };
  return { controls, resolved };
}

/** A handler whose calls finish when the test says so, in any order. */
function gatedHandler() {
  const log: string[] = [];
  const gates = new Map<string, { open: () => void; fail: (e: Error) => void }>();
  const handle = (m: KafkaMessage) =>
    new Promise<void>((resolve, reject) => {
      log.push(`start ${m.offset}`);
      gates.set(m.offset, {
        open: () => (log.push(`end ${m.offset}`), resolve()),
        fail: (e) => (log.push(`fail ${m.offset}`), reject(e)),
      });
    });
  const started = () => [...gates.keys()];
  return { log, gates, handle, started };
}

const ticks = () => new Promise((resolve) => setImmediate(resolve));

describe('handleKeyedBatch', () => {
  it('handles different keys side by side and one key in partition order; unkeyed messages each on their own', async () => {
    const { controls, resolved } = batchOf(['a', 'b', 'a', null, null]);
    const h = gatedHandler();
    const run = handleKeyedBatch(controls, 32, h.handle);
    await ticks();
    assert.deepEqual(h.started(), ['0', '1', '3', '4'], 'the second "a" waits for the first');
    h.gates.get('0')!.open();
    await ticks();
    assert.deepEqual(h.started(), ['0', '1', '3', '4', '2'], 'then it starts');
    for (const offset of ['4', '3', '2', '1']) h.gates.get(offset)!.open();
    await run;
    assert.deepEqual(resolved, ['0', '1', '2', '3', '4'], 'every offset, in order');
  });

  it('has at most `concurrency` messages in hand', async () => {
    const { controls } = batchOf(['a', 'b', 'c', 'd']);
    const h = gatedHandler();
    const run = handleKeyedBatch(controls, 2, h.handle);
    await ticks();
    assert.deepEqual(h.started(), ['0', '1']);
    h.gates.get('1')!.open();
    await ticks();
    assert.deepEqual(h.started(), ['0', '1', '2']);
    for (const offset of ['0', '2']) h.gates.get(offset)!.open();
    await ticks();
    h.gates.get('3')!.open();
    await run;
  });

  it('resolves only the done prefix: a message finished early waits for the ones before it', async () => {
    const { controls, resolved } = batchOf(['a', 'b', 'c']);
    const h = gatedHandler();
    const run = handleKeyedBatch(controls, 32, h.handle);
    await ticks();
    h.gates.get('2')!.open();
    h.gates.get('1')!.open();
    await ticks();
    assert.deepEqual(resolved, [], 'offset 0 is still in hand: nothing may be committed');
    h.gates.get('0')!.open();
    await run;
    assert.deepEqual(resolved, ['0', '1', '2']);
  });

  it('on a failure: resolves what came before it, skips the rest of its key, waits for the others, then throws', async () => {
    const { controls, resolved } = batchOf(['a', 'b', 'a', 'c', 'd']);
    const h = gatedHandler();
    const run = handleKeyedBatch(controls, 4, h.handle); // offsets 0-3 in hand (2 waiting for 0), 4 waiting for a place
    let settled = false;
    run.then(
      () => (settled = true),
      () => (settled = true),
    );
    await ticks();
    h.gates.get('0')!.fail(new Error('boom'));
    await ticks();
    h.gates.get('1')!.open();
    await ticks();
    assert.equal(settled, false, 'offset 3 is still in hand');
    h.gates.get('3')!.open();
    await assert.rejects(run, /boom/);
    assert.deepEqual(resolved, [], 'the failed offset 0 comes first: it is delivered again, with all after it');
    assert.ok(!h.started().includes('2'), 'the later "a" never ran');
    assert.ok(!h.started().includes('4'), 'and nothing new started after the failure');
  });

  it('heartbeats every second while a batch is in hand', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      let beats = 0;
      const { controls } = batchOf(['a'], { heartbeat: async () => void beats++ });
      const h = gatedHandler();
      const run = handleKeyedBatch(controls, 32, h.handle);
      await ticks();
      mock.timers.tick(1000);
      mock.timers.tick(1000);
      assert.equal(beats, 2, 'two seconds with offset 0 in hand: two heartbeats');
      h.gates.get('0')!.open();
      await run;
    } finally {
      mock.timers.reset();
    }
  });

  it('on a failed heartbeat (a rebalance): starts nothing more, lets what it started finish and resolves it, then throws', async () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const { controls, resolved } = batchOf(['a', 'b', 'c'], { heartbeat: () => Promise.reject(new Error('rebalancing')) });
      const h = gatedHandler();
      const run = handleKeyedBatch(controls, 2, h.handle);
      await ticks();
      mock.timers.tick(1000);
      await ticks();
      h.gates.get('0')!.open();
      await ticks();
      assert.deepEqual(h.started(), ['0', '1'], 'offset 2 is not started after the heartbeat failed');
      h.gates.get('1')!.open();
      await assert.rejects(run, /rebalancing/);
      assert.deepEqual(resolved, ['0', '1']);
    } finally {
      mock.timers.reset();
    }
  });

  it('starts nothing more once the batch is stale (a rebalance), and finishes what it started', async () => {
    let stale = false;
    const { controls, resolved } = batchOf(['a', 'a', 'b'], { stale: () => stale });
    const seen: string[] = [];
    await handleKeyedBatch(controls, 32, async (m) => {
      seen.push(m.offset);
      stale = true;
    });
    assert.deepEqual(seen, ['0']);
    assert.deepEqual(resolved, ['0']);
  });
});
