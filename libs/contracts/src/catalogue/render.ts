import { getMetadataStorage } from 'class-validator';
import { replyTopicOf } from '../patterns';
import { EVENT_CATALOGUE, EventEntry, PATTERN_CATALOGUE, PatternEntry } from './topics';

const REQUEST_HEADERS = '`x-request-id`, `x-deadline`, `x-producer`, `content-type`; NestJS: `kafka_correlationId`, `kafka_replyTopic`, `kafka_replyPartition`';
const REPLY_HEADERS = '`kafka_correlationId`, `x-request-id`; on failure `kafka_nest-err` (the error `{ statusCode, code, message, details? }`)';
const EVENT_HEADERS = '`x-request-id`, `x-event-id`, `x-event-type`, `x-producer`, `content-type`';
const DEAD_LETTER_HEADERS = 'the original headers, plus `x-dead-letter-reason`, `x-original-topic`, `x-original-partition`, `x-original-offset`, `x-dead-letter-details`';

/** The Markdown catalogue of every topic, generated from this library (docs/TOPICS.md). */
export function renderTopicCatalogue(): string {
  const lines = [
    '# Kafka topics',
    '',
    '<!-- Generated from libs/contracts/src/catalogue by `npm run docs:topics`; a unit test fails when it is stale. -->',
    '',
    'Every topic is created up front by the apps with `KAFKA_PARTITIONS` partitions (default 3); the broker never',
    'creates one. Values are JSON. A Markdown table, not AsyncAPI, because the people who read it do so in a',
    'browser next to Kafka UI, and every payload class is one click away in libs/contracts.',
    '',
    '## Request-reply patterns',
    '',
    `Requests carry ${REQUEST_HEADERS}. Replies go to \`<pattern>.reply\` and carry ${REPLY_HEADERS}.`,
    '',
    '| Topic | Reply topic | Key | Request payload | Reply | Sent by | Answered by | For |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...PATTERN_CATALOGUE.map(patternRow),
    '',
    '## Events',
    '',
    `Events carry ${EVENT_HEADERS}; the dead-letter topic carries ${DEAD_LETTER_HEADERS}.`,
    '',
    '| Topic | Key | Payload | Produced by | Consumed by | Means |',
    '| --- | --- | --- | --- | --- | --- |',
    ...EVENT_CATALOGUE.map(eventRow),
    '',
  ];
  return lines.join('\n');
}

function patternRow(p: PatternEntry): string {
  return `| \`${p.pattern}\` | \`${replyTopicOf(p.pattern)}\` | ${p.key} | ${payload(p.request)} | ${p.reply} | ${p.callers.join(', ')} | ${p.handler} | ${p.description} |`;
}

function eventRow(e: EventEntry): string {
  return `| \`${e.topic}\` | ${e.key} | ${payload(e.payload)} | ${e.producers.join(', ')} | ${e.consumers.join(', ') || '(none yet)'} | ${e.description} |`;
}

/** A class as its name and validated fields (`email`: isEmail, maxLength), or the text given. */
function payload(value: EventEntry['payload']): string {
  if (typeof value === 'string') return value;
  const metadata = getMetadataStorage().getTargetValidationMetadatas(value, '', true, false);
  const fields = new Map<string, Set<string>>();
  for (const m of metadata) {
    const rule = m.name ?? m.constraintCls?.name ?? m.type;
    if (!fields.has(m.propertyName)) fields.set(m.propertyName, new Set());
    if (rule && rule !== 'conditionalValidation' && m.type !== 'conditionalValidation') fields.get(m.propertyName)!.add(rule);
  }
  const list = [...fields].map(([name, rules]) => `\`${name}\`${rules.size ? ` (${[...rules].join(', ')})` : ''}`).join('; ');
  return `**${value.name}**: ${list}`;
}
