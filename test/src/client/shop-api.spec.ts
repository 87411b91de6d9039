import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/stack-cli';

describe('the TypeScript client generated from the OpenAPI document', () => {
  it('is what openapi-typescript makes of docs/openapi.json now (npm run docs:openapi)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-api-'));
    try {
      const out = join(dir, 'shop-api.ts');
      const generator = join(REPO_ROOT, 'node_modules', '.bin', 'openapi-typescript');
      const run = spawnSync(generator, [join(REPO_ROOT, 'docs', 'openapi.json'), '--output', out], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(readFileSync(out, 'utf8') === readFileSync(join(__dirname, '..', '..', 'src', 'client', 'shop-api.ts'), 'utf8'), 'test/src/client/shop-api.ts is stale: run npm run docs:openapi');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
