import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CpuProfile, functionOf, ownerOf, selfTime, threadGroup } from './profile-summary';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe('who owns a frame', () => {
  it('names npm packages, scoped or not, by the innermost node_modules', () => {
    assert.equal(ownerOf(frame('send', 'file:///work/main/node_modules/kafkajs/src/producer/sendMessages.js')), 'kafkajs');
    assert.equal(ownerOf(frame('handle', '/work/main/node_modules/@nestjs/core/router/router-proxy.js')), '@nestjs/core');
    assert.equal(ownerOf(frame('x', '/r/node_modules/a/node_modules/pino/lib/proto.js')), 'pino');
  });

  it('names the workspaces of this repository, Node itself and V8', () => {
    assert.equal(ownerOf(frame('send', 'file:///work/main/libs/platform/dist/kafka/rpc-client.js')), 'libs/platform');
    assert.equal(ownerOf(frame('get', '/work/main/gateway/dist/users/users.controller.js')), 'gateway');
    assert.equal(ownerOf(frame('writeGeneric', 'node:internal/stream_base_commons')), 'node');
    assert.equal(ownerOf(frame('(garbage collector)', '')), '(garbage collector)');
    assert.equal(ownerOf(frame('writev', '')), '(native)');
  });

  it('writes a function as name, file and 1-based line', () => {
    assert.equal(functionOf(frame('encode', '/w/node_modules/kafkajs/src/protocol/encoder.js', 41)), 'encode kafkajs/src/protocol/encoder.js:42');
    assert.equal(functionOf(frame('', '/work/main/libs/platform/dist/x.js', 0)), '(anonymous) libs/platform/dist/x.js:1');
  });
});

describe('self time', () => {
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', '') },
      { id: 2, callFrame: frame('(idle)', '') },
      { id: 3, callFrame: frame('encode', '/w/node_modules/kafkajs/src/encoder.js') },
      { id: 4, callFrame: frame('log', '/w/node_modules/pino/lib/proto.js') },
      { id: 5, callFrame: frame('decode', '/w/node_modules/kafkajs/src/decoder.js') },
    ],
    samples: [2, 3, 4, 5, 2, 3],
    timeDeltas: [5000, 1000, 1000, 1000, 5000, 1000],
  };

  it('shares the busy time between owners, idle left out, largest first', () => {
    assert.deepEqual(selfTime(profile), [
      { where: 'kafkajs', pct: 75 },
      { where: 'pino', pct: 25 },
    ]);
  });

  it('counts a native call or Node internal for the library that called it', () => {
    const socketWrites: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 5] },
        { id: 2, callFrame: frame('send', '/w/node_modules/kafkajs/src/network/connection.js'), children: [3] },
        { id: 3, callFrame: frame('writeGeneric', 'node:internal/stream_base_commons'), children: [4] },
        { id: 4, callFrame: frame('writeBuffer', '') },
        { id: 5, callFrame: frame('processTimers', 'node:internal/timers') },
        { id: 6, callFrame: frame('dispatch', '') },
      ],
      samples: [4, 4, 4, 5, 6, 6],
      timeDeltas: [1000, 1000, 1000, 1000, 9000, 9000],
    };
    assert.deepEqual(selfTime(socketWrites), [
      { where: 'kafkajs', pct: 75 },
      { where: 'node', pct: 25 },
    ]);
  });

  it('groups by any key, e.g. function, and keeps the top ones', () => {
    assert.deepEqual(selfTime(profile, functionOf, 1), [{ where: 'encode kafkajs/src/encoder.js:1', pct: 50 }]);
  });
});

describe('Java thread names', () => {
  it('drops the instance number so threads of one kind add up', () => {
    assert.equal(threadGroup('GC Thread#3'), 'GC Thread');
    assert.equal(threadGroup('C2 CompilerThre'), 'C2 CompilerThre');
    assert.equal(threadGroup('data-plane-kafk'), 'data-plane-kafk');
    assert.equal(threadGroup('kafka-scheduler-7'), 'kafka-scheduler');
  });
});
