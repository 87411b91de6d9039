import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdapterName, AdapterRun, adapterOrder, adapterRatios, bestRuns, cpuMsPerRequest, HttpAdapterResults, markdown, parseHttpOptions } from './http-adapter-report';

function run(round: number, adapter: AdapterName, route: string, rps: number, p99 = 10, cpuMs = 0.1): AdapterRun {
  return {
    round,
    adapter,
    route,
    elapsedS: 10,
    requests: rps * 10,
    rps,
    latencyMs: { count: rps * 10, mean: 3, p50: 3, p95: p99, p99, max: p99 * 2 },
    non2xx: {},
    errors: 0,
    timeouts: 0,
    serverCpuS: (cpuMs * rps * 10) / 1000,
    cpuMsPerRequest: cpuMs,
    serverPeakRssMb: adapter === 'express' ? 80 : 100,
    loadGeneratorCores: 0.9,
    machineBusyCores: 1.9,
  };
}

describe('http-adapter options', () => {
  it('defaults to 3 rounds of 10 s at 32 connections after a 3 s warm-up', () => {
    assert.deepEqual(parseHttpOptions([]), { durationS: 10, warmupS: 3, connections: 32, rounds: 3 });
  });

  it('takes --duration and --rounds, and refuses what is not a positive number', () => {
    assert.deepEqual(parseHttpOptions(['--duration', '2', '--rounds=1']), { durationS: 2, warmupS: 3, connections: 32, rounds: 1 });
    assert.throws(() => parseHttpOptions(['--rounds', '0']), /--rounds must be a positive number, got "0"/);
    assert.throws(() => parseHttpOptions(['--duration', 'long']), /--duration must be a positive number/);
    assert.throws(() => parseHttpOptions(['--connection', '8']), /Unknown option '--connection'/);
  });
});

describe('adapterOrder', () => {
  it('lets each adapter go first in every other round', () => {
    assert.deepEqual([1, 2, 3].map(adapterOrder), [
      ['express', 'fastify'],
      ['fastify', 'express'],
      ['express', 'fastify'],
    ]);
  });
});

describe('cpuMsPerRequest', () => {
  it('divides the CPU seconds by the answers, in milliseconds, and is 0 for no answer', () => {
    assert.equal(cpuMsPerRequest(9.5, 100_000), 0.095);
    assert.equal(cpuMsPerRequest(1, 0), 0);
  });
});

describe('best rounds and ratios', () => {
  const runs = [
    run(1, 'express', 'health', 5000, 12, 0.2),
    run(1, 'fastify', 'health', 8000, 8, 0.12),
    run(1, 'express', 'product', 4000),
    run(1, 'fastify', 'product', 6000),
    run(2, 'fastify', 'health', 9000, 6, 0.1),
    run(2, 'express', 'health', 4500, 20, 0.25),
    run(2, 'fastify', 'product', 5000),
    run(2, 'express', 'product', 4400),
  ];

  it('keeps the round with the most req/s for each route and adapter, routes in run order, express first', () => {
    assert.deepEqual(
      bestRuns(runs).map((r) => [r.route, r.adapter, r.round, r.rps]),
      [
        ['health', 'express', 1, 5000],
        ['health', 'fastify', 2, 9000],
        ['product', 'express', 2, 4400],
        ['product', 'fastify', 1, 6000],
      ],
    );
  });

  it('divides fastify by express for the best rounds, and pairs the rounds for req/s', () => {
    assert.deepEqual(adapterRatios(runs)[0], { route: 'health', rps: 1.8, p50: 1, p99: 0.5, cpuMsPerRequest: 0.5, peakRssMb: 1.25, rpsByRound: [1.6, 2] });
  });

  it('has no ratio for a route one adapter never ran', () => {
    const [only] = adapterRatios([run(1, 'express', 'health', 5000)]);
    assert.equal(only.rps, undefined);
    assert.deepEqual(only.rpsByRound, [undefined]);
  });
});

describe('markdown', () => {
  const results: HttpAdapterResults = {
    date: '2026-01-01T00:00:00.000Z',
    command: 'npm run bench:http',
    settings: { durationS: 10, warmupS: 3, connections: 32, rounds: 1 },
    machine: { cpus: 2, cpuModel: 'Test CPU', memGiB: 8, kernel: '6.1' },
    versions: { fastify: '5.0.0' },
    runs: [run(1, 'express', 'health', 5000, 12, 0.2), { ...run(1, 'fastify', 'health', 8000, 8, 0.12), non2xx: { 500: 3 } }],
  };
  const text = markdown(results);

  it('has a row per best run with every figure asked for', () => {
    assert.ok(text.includes('| health | express | 5000 | 5000 | 3.00 | 12.00 | 0.200 | 80 | 0 |'), text);
    assert.ok(text.includes('| health | fastify | 8000 | 8000 | 3.00 | 8.00 | 0.120 | 100 | 500×3 |'), text);
  });

  it('has the ratios and every run', () => {
    assert.ok(text.includes('| health | 1.60 | 1.60 | 1.00 | 0.67 | 0.60 | 1.25 |'), text);
    assert.ok(text.includes('| 1 | fastify | health | 8000 | 3.00 | 8.00 | 500×3 | 0/0 | 9.60 | 0.120 | 100 | 0.90 | 1.90 |'), text);
  });
});
