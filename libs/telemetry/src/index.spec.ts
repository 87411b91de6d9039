import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { serviceNameOf, tracingEnabled } from './index';

describe('@shop/telemetry', () => {
  it('is off unless OTEL_TRACES_EXPORTER names an exporter', () => {
    assert.equal(tracingEnabled({}), false);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: '' }), false);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none' }), false);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'zipkin' }), true);
    assert.equal(tracingEnabled({ OTEL_TRACES_EXPORTER: 'none,console' }), true);
  });

  it('names the service after the package the process runs, without its scope', () => {
    const root = mkdtempSync(join(tmpdir(), 'telemetry-'));
    try {
      mkdirSync(join(root, 'gateway', 'dist'), { recursive: true });
      writeFileSync(join(root, 'gateway', 'package.json'), JSON.stringify({ name: '@shop/gateway' }));
      assert.equal(serviceNameOf(join(root, 'gateway', 'dist', 'main.js')), 'gateway');
      assert.equal(serviceNameOf(undefined), undefined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
