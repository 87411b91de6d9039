import { getMetadataStorage } from 'class-validator';
import { AnyEventContract, AnyRpcContract } from '../contract';
import { DEAD_LETTER_TOPIC, EVENT_CONTRACTS, replyTopicOf, RPC_CONTRACTS } from '../patterns';
import { PRODUCT_VIEW_TOPIC } from '../products/product-view';

const REQUEST_HEADERS = '`x-request-id`, `x-deadline`, `x-producer`, `content-type`, and `x-user-id`, `x-user-role` when a caller caused it (the gateway verified its token); NestJS: `kafka_correlationId`, `kafka_replyTopic`, `kafka_replyPartition`';
const REPLY_HEADERS = '`kafka_correlationId`, `x-request-id`, `x-pattern` (the pattern answered); on failure `kafka_nest-err` (the error `{ statusCode, code, message, details? }`)';
const EVENT_HEADERS = '`x-request-id`, `x-event-id`, `x-event-type`, `x-producer`, `content-type`, and `x-user-id`, `x-user-role` when a caller caused it';
const DEAD_LETTER_HEADERS = 'the original headers, plus `x-dead-letter-reason`, `x-original-topic`, `x-original-partition`, `x-original-offset`, `x-dead-letter-details`';

/** The Markdown catalogue of every topic, generated from the contract maps (docs/TOPICS.md). */
export function renderTopicCatalogue(): string {
  const lines = [
    '# Kafka topics',
    '',
    '<!-- Generated from libs/contracts/src/patterns.ts by `npm run docs:topics`; a unit test fails when it is stale. -->',
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
    "no one else's answers, and one fetch covers all its calls. A key keeps one entity's requests on one",
    'partition, in order; read patterns are answered several at once, writes of different keys too, those of',
    'one key one at a time in partition order. A request that arrives after its caller stopped waiting',
    'is skipped, but for `order.create`, which releases what its saga may have reserved before a crash,',
    'and a `product.stock` reserve, which takes nothing then but records a stock change a crash left unrecorded.',
    '',
    '| Topic | Reply topics | Key | Kind | Request payload | Reply | Sent by | Answered by | For |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...RPC_CONTRACTS.map(patternRow),
    '',
    '## Events',
    '',
    `Events carry ${EVENT_HEADERS}; the dead-letter topic carries ${DEAD_LETTER_HEADERS}.`,
    '',
    '| Topic | Key | Payload | Produced by | Consumed by | Means |',
    '| --- | --- | --- | --- | --- | --- |',
    ...EVENT_CONTRACTS.map(eventRow),
    `| \`${DEAD_LETTER_TOPIC}\` | the original key | the original value, unchanged | every service | a person, in Kafka UI | messages a service could not handle and could not answer |`,
    '',
    '## Changelogs',
    '',
    'Compacted (`cleanup.policy=compact`): the last record of a key is its current state, and a reader that starts',
    'from the beginning ends up with every key. Records carry the event headers.',
    '',
    '| Topic | Keys | Values | Produced by | Read by | Holds |',
    '| --- | --- | --- | --- | --- | --- |',
    `| \`${PRODUCT_VIEW_TOPIC}\` | \`catalog:<product id>\`, \`stock:<product id>\` | the catalog fields (a product without \`stock\`); \`{ id, stock }\`; \`{ id, pending: true }\` while a write is under way; null (a tombstone) once deleted | product-service, before it answers each write | gateway (each replica reads it all into memory and answers GET /api/products/:id from it once it has read every record written before the request) | every product as GET /api/products/:id answers it |`,
    '',
  ];
  return lines.join('\n');
}

function patternRow(c: AnyRpcContract): string {
  const replies = c.callers.map((caller) => `\`${replyTopicOf(caller)}\``).join(', ');
  const oneWay = c.commanders ?? [];
  const senders = [...new Set([...c.callers, ...oneWay])]
    .map((app) => (!c.callers.includes(app) ? `${app} (one-way, no reply)` : oneWay.includes(app) ? `${app} (also one-way)` : app))
    .join(', ');
  return `| \`${c.pattern}\` | ${replies} | ${c.key?.name ?? 'none'} | ${c.kind} | ${c.request ? payload(c.request) : '{}'} | ${c.reply} | ${senders} | ${c.service} | ${c.description} |`;
}

function eventRow(e: AnyEventContract): string {
  const consumers = e.consumers.map((c) => `${c.app} (${c.does})`).join(', ') || '(none yet)';
  return `| \`${e.topic}\` | ${e.key.name} | ${payload(e.payload)} | ${e.producers.join(', ')} | ${consumers} | ${e.description} |`;
}

/** A class as its name and validated fields (`email`: isEmail, maxLength), or the text given. */
function payload(value: AnyEventContract['payload']): string {
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
