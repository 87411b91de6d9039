import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { validateSync } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { IsInt } from 'class-validator';
import { IsOmittable } from './omittable';
import { NO_NUL, TRIMMED } from './text';

/** Text on both sides of the line, including whitespace only one of the engines calls whitespace. */
const SAMPLES = ['Ada', 'Ada Lovelace', 'a\nb', 'x', ' Ada', 'Ada ', '\tAda', 'Ada\n', '\u3000Ada', '\ufeffAda', 'Ada\u00a0', '\u2028', '', '   ', '\x1cAda', 'Ada\x85', '\x1f', 'A\u0000da', '\u0000', 'Ada\u0000'];
const hasNul = (text: string) => text.includes('\u0000');

describe('TRIMMED (names: no whitespace at either end) and NO_NUL', () => {
  it('takes names and refuses blank or padded text, as String.prototype.trim sees whitespace, and any NUL', () => {
    for (const text of SAMPLES) assert.equal(TRIMMED.test(text), text.length > 0 && text.trim() === text && !hasNul(text), JSON.stringify(text));
  });

  it('NO_NUL takes any text without a NUL, blank and multi-line included', () => {
    for (const text of SAMPLES) assert.equal(NO_NUL.test(text), !hasNul(text), JSON.stringify(text));
  });

  it('means the same to Python’s re, whose \\s differs (schemathesis draws values with it)', (t) => {
    // An OpenAPI pattern is ECMA-262, where a final $ is the end of the text; Python's $ also
    // matches before a final newline, so it is read as \Z, as a JSON Schema validator does.
    const script = 'import json,re,sys\np,samples=json.load(sys.stdin)\np=re.sub(r"\\$$",r"\\\\Z",p)\nprint(json.dumps([re.search(p,s) is not None for s in samples]))';
    for (const pattern of [TRIMMED, NO_NUL]) {
      const python = spawnSync('python3', ['-c', script], { input: JSON.stringify([pattern.source, SAMPLES]), encoding: 'utf8' });
      assert.equal(python.status, 0, `python3 is needed for this check: ${python.error?.message ?? python.stderr}`);
      assert.deepEqual(JSON.parse(python.stdout), SAMPLES.map((s) => pattern.test(s)), pattern.source);
    }
    t.diagnostic(`${SAMPLES.length} samples agree, for both patterns`);
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
