#!/usr/bin/env node
/**
 * `npm run kafka -- <tool> [args]`: the Kafka distribution's own command-line tools, from
 * the jars in the stack cache (no Kafka web UI installs here; these do the same work):
 *   topics            kafka-topics: --list, --describe --topic user.create, ...
 *   consumer-groups   kafka-consumer-groups: --list, --describe --all-groups (lag per partition)
 *   console-consumer  kafka-console-consumer: --topic order.create --from-beginning; prints
 *                     the timestamp, partition, offset, key and headers before each value
 *   configs           kafka-configs: --describe --entity-type topics --entity-name user.create
 * `--bootstrap-server` defaults to KAFKA_BROKERS, else the dev stack's 127.0.0.1:9092.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { install } from './install';
import { CACHE_DIR } from './paths';

export const KAFKA_TOOLS: Record<string, { main: string; defaults?: string[] }> = {
  topics: { main: 'org.apache.kafka.tools.TopicCommand' },
  'consumer-groups': { main: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand' },
  'console-consumer': {
    main: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
    defaults: ['--property', 'print.timestamp=true', '--property', 'print.partition=true', '--property', 'print.offset=true', '--property', 'print.key=true', '--property', 'print.headers=true'],
  },
  configs: { main: 'kafka.admin.ConfigCommand' },
};

/** The java command line of one tool: its class, the bootstrap server unless given, the tool's defaults unless the user passed properties. */
export function kafkaToolCommand(libs: string, tool: string, args: string[], brokers: string, log4j: string): string[] {
  const known = KAFKA_TOOLS[tool];
  if (!known) throw new Error(`unknown tool "${tool}": one of ${Object.keys(KAFKA_TOOLS).join(', ')}`);
  const bootstrap = args.includes('--bootstrap-server') ? [] : ['--bootstrap-server', brokers];
  const defaults = args.includes('--property') ? [] : (known.defaults ?? []);
  return [`-Dlog4j.configuration=file:${log4j}`, '-cp', path.join(libs, '*'), known.main, ...bootstrap, ...defaults, ...args];
}

/** The tools' own logging: errors only, on stderr, so their output is only what was asked for. */
const TOOLS_LOG4J = `log4j.rootLogger=ERROR, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=%p %m%n
`;

async function main(): Promise<void> {
  const [tool, ...args] = process.argv.slice(2);
  if (!tool || tool === '--help' || !KAFKA_TOOLS[tool]) {
    console.error(`usage: npm run kafka -- <${Object.keys(KAFKA_TOOLS).join('|')}> [args]\n(the Kafka distribution's tools; --bootstrap-server defaults to KAFKA_BROKERS or 127.0.0.1:9092)`);
    process.exitCode = tool ? 2 : 0;
    return;
  }
  const { kafkaLibs } = await install({ quiet: true });
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const log4j = path.join(CACHE_DIR, 'kafka-tools.log4j.properties');
  fs.writeFileSync(log4j, TOOLS_LOG4J);
  const result = spawnSync('java', kafkaToolCommand(kafkaLibs, tool, args, brokers, log4j), { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}

if (require.main === module) void main();
