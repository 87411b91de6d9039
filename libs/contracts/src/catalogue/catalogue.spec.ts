import 'reflect-metadata';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { allTopics, CALLERS, callerReplyTopic, replyTopicOf } from '../patterns';
import { renderTopicCatalogue, waitingCallers } from './render';
import { EVENT_CATALOGUE, PATTERN_CATALOGUE } from './topics';

const DOC = join(__dirname, '..', '..', '..', '..', 'docs', 'TOPICS.md');

describe('topic catalogue', () => {
  it('names every topic the apps create, and no other: one reply topic per caller', () => {
    const callers = [...new Set(PATTERN_CATALOGUE.flatMap(waitingCallers))].sort();
    assert.deepEqual([...CALLERS].sort(), callers);
    const catalogued = [...PATTERN_CATALOGUE.map((p) => p.pattern), ...callers.map(callerReplyTopic), ...EVENT_CATALOGUE.map((e) => e.topic)].sort();
    assert.deepEqual(catalogued, [...allTopics()].sort());
  });

  it('has NestJS per-pattern reply topics in place of the per-caller ones with per-pattern replies', () => {
    const catalogued = [...PATTERN_CATALOGUE.flatMap((p) => [p.pattern, replyTopicOf(p.pattern)]), ...EVENT_CATALOGUE.map((e) => e.topic)].sort();
    assert.deepEqual(catalogued, [...allTopics('per-pattern')].sort());
  });

  it('lists each payload class with its validated fields', () => {
    const text = renderTopicCatalogue();
    assert.match(text, /\*\*CreateUserRequest\*\*: `email` \(maxLength, isEmail\); `name` \(isLength, isString\)/);
    assert.match(text, /\| `product\.stock` \| `gateway\.replies`, `order-service\.replies` \| product id/);
    assert.match(text, /\| `user\.get` \| `gateway\.replies`, `order-service\.replies` \| user id/);
  });

  it('docs/TOPICS.md is what the contracts say today (run `npm run docs:topics` when this fails)', () => {
    assert.equal(readFileSync(DOC, 'utf8'), renderTopicCatalogue());
  });
});
