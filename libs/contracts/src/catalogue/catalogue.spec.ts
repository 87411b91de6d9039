import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allTopics, replyTopicOf } from '../patterns';
import { renderTopicCatalogue } from './render';
import { EVENT_CATALOGUE, PATTERN_CATALOGUE } from './topics';

const DOC = join(__dirname, '..', '..', '..', '..', 'docs', 'TOPICS.md');

describe('topic catalogue', () => {
  it('names every topic the apps create, and no other', () => {
    const catalogued = [...PATTERN_CATALOGUE.flatMap((p) => [p.pattern, replyTopicOf(p.pattern)]), ...EVENT_CATALOGUE.map((e) => e.topic)].sort();
    assert.deepEqual(catalogued, [...allTopics()].sort());
  });

  it('lists each payload class with its validated fields', () => {
    const text = renderTopicCatalogue();
    assert.match(text, /\*\*CreateUserRequest\*\*: `email` \(maxLength, isEmail\); `name` \(isLength, isString\)/);
    assert.match(text, /\| `product\.stock` \| `product\.stock\.reply` \| product id/);
  });

  it('docs/TOPICS.md is what the contracts say today (run `npm run docs:topics` when this fails)', () => {
    assert.equal(readFileSync(DOC, 'utf8'), renderTopicCatalogue());
  });
});
