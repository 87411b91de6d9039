import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { kafkaToolCommand } from './kafka-tools';
import { ALERT_RULES, nativePrometheusConfig } from './observability';

const PORTS = { gateway: 3000, 'user-service': 3001, 'product-service': 3002, 'order-service': 3003 };

function promtool(args: string[]) {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  assert.ok(!run.error, `promtool is needed (Debian: apt-get install prometheus, as .ci/run does): ${run.error?.message}`);
  return run;
}

describe('the native Prometheus', () => {
  it('loads the alert rules (promtool check rules), one for each thing the design names', () => {
    const run = promtool(['check', 'rules', ALERT_RULES]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const names = (parse(readFileSync(ALERT_RULES, 'utf8')) as { groups: { rules: { alert: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.alert));
    assert.deepEqual(names.sort(), ['AppDown', 'ConsumerLagHigh', 'HighErrorRate', 'SlowRequests', 'StockLow']);
  });

  it('is compose’s config with the apps on loopback and the same rules, and promtool accepts it', () => {
    const config = nativePrometheusConfig({ ...PORTS, gateway: 4000 });
    const parsed = parse(config) as { rule_files: string[]; scrape_configs: { static_configs: { targets: string[] }[] }[] };
    assert.deepEqual(parsed.scrape_configs.flatMap((j) => j.static_configs.flatMap((g) => g.targets)), ['127.0.0.1:4000', '127.0.0.1:3001', '127.0.0.1:3002', '127.0.0.1:3003']);
    assert.deepEqual(parsed.rule_files, [ALERT_RULES]);
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
    try {
      writeFileSync(join(dir, 'prometheus.yml'), config);
      const run = promtool(['check', 'config', join(dir, 'prometheus.yml')]);
      assert.equal(run.status, 0, run.stdout + run.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a compose target that is not an app of the native stack', () => {
    assert.throws(() => nativePrometheusConfig({ gateway: 3000 }), /scrapes user-service:3001, which is not an app/);
  });
});

describe('npm run kafka', () => {
  it('runs the tool’s class with the bootstrap server, unless one is given', () => {
    const command = kafkaToolCommand('/libs', 'topics', ['--list'], '127.0.0.1:9092', '/log4j');
    assert.deepEqual(command.slice(2), ['/libs/*', 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', '127.0.0.1:9092', '--list']);
    assert.ok(!kafkaToolCommand('/libs', 'topics', ['--bootstrap-server', 'x:1'], '127.0.0.1:9092', '/log4j').includes('127.0.0.1:9092'));
  });

  it('makes the console consumer print timestamp, partition, offset, key and headers, unless properties are given', () => {
    const command = kafkaToolCommand('/libs', 'console-consumer', ['--topic', 'order.create'], 'b:1', '/log4j').join(' ');
    for (const property of ['print.timestamp', 'print.partition', 'print.offset', 'print.key', 'print.headers']) assert.match(command, new RegExp(`${property}=true`));
    assert.doesNotMatch(kafkaToolCommand('/libs', 'console-consumer', ['--property', 'print.key=false'], 'b:1', '/log4j').join(' '), /print\.headers/);
  });

  it('names the tools it knows when asked for another', () => {
    assert.throws(() => kafkaToolCommand('/libs', 'mirror-maker', [], 'b:1', '/log4j'), /one of topics, consumer-groups, console-consumer, configs/);
  });
});
