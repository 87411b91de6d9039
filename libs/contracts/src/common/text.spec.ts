import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { IsInt } from 'class-validator';
import { IsOmittable } from './omittable';
import { TRIMMED } from './text';

/** Text on both sides of the line, including whitespace only one of the engines calls whitespace. */
const SAMPLES = ['Ada', 'Ada Lovelace', 'a\nb', 'x', ' Ada', 'Ada ', '\tAda', 'Ada\n', '\u3000Ada', '\ufeffAda', 'Ada\u00a0', '\u2028', '', '   ', '\x1cAda', 'Ada\x85', '\x1f'];

describe('TRIMMED (names: no whitespace at either end)', () => {
  it('takes names and refuses blank or padded text, as String.prototype.trim sees whitespace', () => {
    for (const text of SAMPLES) assert.equal(TRIMMED.test(text), text.length > 0 && text.trim() === text, JSON.stringify(text));
  });

  it('means the same to Python’s re, whose \\s differs (schemathesis draws values with it)', (t) => {
    // An OpenAPI pattern is ECMA-262, where a final $ is the end of the text; Python's $ also
    // matches before a final newline, so it is read as \Z, as a JSON Schema validator does.
    const script = 'import json,re,sys\np,samples=json.load(sys.stdin)\np=re.sub(r"\\$$",r"\\\\Z",p)\nprint(json.dumps([re.search(p,s) is not None for s in samples]))';
    const python = spawnSync('python3', ['-c', script], { input: JSON.stringify([TRIMMED.source, SAMPLES]), encoding: 'utf8' });
    assert.equal(python.status, 0, `python3 is needed for this check: ${python.error?.message ?? python.stderr}`);
    assert.deepEqual(JSON.parse(python.stdout), SAMPLES.map((s) => TRIMMED.test(s)));
    t.diagnostic(`${SAMPLES.length} samples agree`);
  });
});

class Page {
  @IsOmittable()
  @IsInt()
  limit?: number;
}

describe('IsOmittable', () => {
  const errors = (plain: object) => validateSync(plainToInstance(Page, plain)).map((e) => e.property);

  it('lets a field be left out, and checks it when it is sent', () => {
    assert.deepEqual(errors({}), []);
    assert.deepEqual(errors({ limit: 5 }), []);
    assert.deepEqual(errors({ limit: 'five' }), ['limit']);
  });

  it('refuses null, which @IsOptional would let through to the database', () => {
    assert.deepEqual(errors({ limit: null }), ['limit']);
  });
});
