import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestOfRounds, busiest, consoleTable, markdown, othersCores, peerRows, replaceSection, SECTION_END, SECTION_START } from './report';
import { BenchResults, formatResults, RunResult } from './results';

function run(scenario: string, load: RunResult['load'], rps: number, p50: number, p99: number): RunResult {
  return {
    scenario,
    load,
    connections: load === 'single' ? 1 : 32,
    elapsedS: 10,
    requests: rps * 10,
    rps,
    latencyMs: { count: rps * 10, mean: p50, p50, p95: p99, p99, max: p99 * 2 },
    non2xx: {},
    errors: 0,
    timeouts: 0,
    unanswered: 0,
    processes: [
      { name: 'gateway', cpuS: 9.7, cores: 0.97, peakRssMb: 120 },
      { name: 'kafka', cpuS: 4, cores: 0.4, peakRssMb: 400 },
      { name: 'load-generator', cpuS: 12, cores: 1.2, peakRssMb: 90 },
    ],
    machineBusyCores: 1.9,
  };
}

const results: BenchResults = {
  date: '2025-01-01T00:00:00.000Z',
  command: 'npm run bench',
  settings: { durationS: 10, warmupS: 3, connections: 32, rates: ['500'], rounds: 1 },
  machine: { cpus: 2, cpuModel: 'Test CPU', memGiB: 23, kernel: '6.1' },
  versions: { node: 'v20', kafka: '3.9.2' },
  modes: [
    { mode: 'ours', round: 1, what: '', env: {}, skipped: { echo: 'GET /api/status answered 404' }, runs: [run('product-read', 'closed', 2000, 10, 40), run('product-read', 'single', 300, 3, 6), run('health', 'closed', 9000, 3, 8)] },
    { mode: 'peer', round: 1, what: '', env: {}, skipped: {}, runs: [run('echo', 'closed', 500, 60, 200), run('echo', 'single', 100, 6, 12)] },
  ],
};

describe('ours against the peer', () => {
  it('divides every closed-loop req/s by the peer echo req/s and every single-connection p50 by its p50, the peer first', () => {
    assert.deepEqual(
      peerRows(results.modes).map((r) => [r.scenario, r.mode, r.rps, r.rpsVsPeer, r.singleP50, r.singleP50VsPeer]),
      [
        ['echo', 'peer', 500, 1, 6, 1],
        ['product-read', 'ours', 2000, 4, 3, 0.5],
        ['health', 'ours', 9000, 18, undefined, undefined],
      ],
    );
  });

  it('gives every closed-loop row its tail: p99 over p50', () => {
    assert.deepEqual(
      peerRows(results.modes).map((r) => [r.scenario, r.tail]),
      [
        ['echo', 3.33],
        ['product-read', 4],
        ['health', 2.67],
      ],
    );
  });

  it('has no rows when the peer did not run', () => {
    assert.deepEqual(peerRows([results.modes[0]]), []);
  });
});

describe('rounds', () => {
  it('keeps, for each run of a mode, the round with the highest req/s and lists every round', () => {
    const second = { ...results.modes[1], round: 2, runs: [run('echo', 'closed', 800, 40, 90), run('echo', 'single', 90, 7, 14)] };
    const [ours, peer] = bestOfRounds([...results.modes, second]);
    assert.equal(ours, results.modes[0]);
    assert.deepEqual(
      peer.runs.map((r) => [r.load, r.rps, r.latencyMs.p99, r.roundsRps]),
      [
        ['closed', 800, 90, [500, 800]],
        ['single', 100, 12, [100, 90]],
      ],
    );
  });
});

describe('the idle stack over rounds', () => {
  it('keeps the round whose stack used the fewest CPU seconds, unrounded and without the load generator', () => {
    const idle = (round: number, stackCpuS: number[], loadGeneratorCpuS: number): RunResult => ({
      ...run('idle', 'idle', 0, 0, 0),
      processes: [
        ...stackCpuS.map((cpuS, i) => ({ name: `app-${i}`, cpuS, cores: Math.round((cpuS / 30) * 100) / 100, peakRssMb: 100 })),
        { name: 'load-generator', cpuS: loadGeneratorCpuS, cores: Math.round((loadGeneratorCpuS / 30) * 100) / 100, peakRssMb: 90 },
      ],
      machineBusyCores: round,
    });
    // Round 1: 0.25 + 0.2 = 0.45 s of the stack, rounded 0.01 + 0.01; round 2: 0.14 + 0.16 = 0.30 s, rounded 0 + 0.01, and a busier load generator.
    const [best] = bestOfRounds([
      { mode: 'ours', round: 1, what: '', env: {}, skipped: {}, runs: [idle(1, [0.25, 0.2], 0.1)] },
      { mode: 'ours', round: 2, what: '', env: {}, skipped: {}, runs: [idle(2, [0.14, 0.16], 0.9)] },
    ]);
    assert.equal(best.runs[0].machineBusyCores, 2, 'round 2: 0.30 s against 0.45 s');
  });
});

describe('report', () => {
  it('names the process that used the most CPU, not counting the load generator', () => {
    assert.equal(busiest(results.modes[0].runs[0]), 'gateway 0.97');
  });

  it('counts as other people’s work the busy cores that none of our processes used', () => {
    assert.equal(othersCores(results.modes[0].runs[0]), 0);
    assert.equal(othersCores({ ...results.modes[0].runs[0], machineBusyCores: 3 }), 0.43);
  });

  it('renders the machine, the skipped scenarios, ours against the peer first, then each run as Markdown', () => {
    const md = markdown(results);
    assert.match(md, /Machine: 2 × Test CPU, 23 GiB RAM/);
    assert.match(md, /Skipped in ours: echo \(GET \/api\/status answered 404\)/);
    assert.match(md, /#### Ours vs the stock NestJS demo[^\n]*\n\n\| scenario \| mode \| req\/s \| ours \/ peer req\/s \| p50 \/ p99 ms \| p99 \/ p50 \|[^\n]*\n[^\n]*\n\| echo \| peer \| 500 \| 1\.00 \| 60\.0 \/ 200\.0 \| 3\.3 \| 6\.0 \| 1\.00 \|/);
    assert.match(md, /\| product-read \| ours \| 2000 \| 4\.00 \| 10\.0 \/ 40\.0 \| 4\.0 \| 3\.0 \| 0\.50 \|/);
    assert.match(md, /\| product-read \| ours \| 32 conn \| 2000 \| 4\.00 \(req\/s\) \| 10\.0 \| 40\.0 \| 40\.0 \| 80 \| 0 \| 0 \| gateway 0\.97 \|/);
    assert.match(md, /\| product-read \| ours \| 1 conn \| 300 \| 0\.50 \(p50\) \| 3\.0 \|/);
    assert.ok(md.indexOf('Ours vs the stock NestJS demo') < md.indexOf('#### Throughput and latency'));
  });

  it('leads the terminal report with ours against the peer', () => {
    const text = consoleTable(results);
    assert.match(text, /^#### Ours vs the stock NestJS demo/);
    assert.match(text, /\| product-read \| ours \| 32 conn \| 2000 \| 4\.00 \(req\/s\) \|/);
  });

  it('writes the results file with one line per run, and reads back the same', () => {
    const text = formatResults(results);
    assert.deepEqual(JSON.parse(text), results);
    assert.equal(text.split('\n').filter((line) => line.trim().startsWith('{"scenario"')).length, 5);
  });

  it('replaces only the text between the markers, and appends them when missing', () => {
    const doc = `# B\n\nbefore\n${SECTION_START}\nold\n${SECTION_END}\nafter\n`;
    assert.equal(replaceSection(doc, 'new'), `# B\n\nbefore\n${SECTION_START}\nnew\n${SECTION_END}\nafter\n`);
    assert.equal(replaceSection('# B\n', 'new'), `# B\n\n${SECTION_START}\nnew\n${SECTION_END}\n`);
  });
});
