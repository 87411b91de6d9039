import { getMetadataStorage } from 'class-validator';
import { callerReplyTopic } from '../patterns';
import { EVENT_CATALOGUE, EventEntry, PATTERN_CATALOGUE, PatternEntry } from './topics';

const REQUEST_HEADERS = '`x-request-id`, `x-deadline`, `x-producer`, `content-type`; NestJS: `kafka_correlationId`, `kafka_replyTopic`, `kafka_replyPartition`';
const REPLY_HEADERS = '`kafka_correlationId`, `x-request-id`, `x-pattern` (the pattern answered); on failure `kafka_nest-err` (the error `{ statusCode, code, message, details? }`)';
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
    `Requests carry ${REQUEST_HEADERS}. Replies carry ${REPLY_HEADERS}.`,
    '',
    'Each calling app reads every answer it gets from one topic of its own, `<app>.replies`: it reads',
    "no one else's answers, and one fetch covers all its calls. With `KAFKA_REPLY_TOPICS=per-pattern`",
    '(and in the `stock` profile) replies go to `<pattern>.reply` instead, as NestJS names them, and',
    'those topics are created in place of the `<app>.replies` ones.',
    '',
    '| Topic | Reply topics | Key | Request payload | Reply | Sent by | Answered by | For |',
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
  const replies = waitingCallers(p)
    .map((caller) => `\`${callerReplyTopic(caller)}\``)
    .join(', ');
  return `| \`${p.pattern}\` | ${replies} | ${p.key} | ${payload(p.request)} | ${p.reply} | ${p.callers.join(', ')} | ${p.handler} | ${p.description} |`;
}

/** The apps that wait for answers to the pattern ("gateway (request-reply, ...)" is the gateway; "(..., no reply)" waits for none). */
export function waitingCallers(p: PatternEntry): string[] {
  const names = p.callers.filter((caller) => !caller.includes('no reply')).map((caller) => caller.split(' ')[0]);
  return [...new Set(names)];
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
