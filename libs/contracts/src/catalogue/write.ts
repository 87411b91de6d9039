import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderTopicCatalogue } from './render';

/** `npm run docs:topics`: regenerates docs/TOPICS.md. */
const target = join(__dirname, '..', '..', '..', '..', 'docs', 'TOPICS.md');
writeFileSync(target, renderTopicCatalogue());
console.log(`wrote ${target}`);
