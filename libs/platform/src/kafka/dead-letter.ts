import { Logger } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { DEAD_LETTER_TOPIC, HEADERS } from '@shop/contracts';

const logger = new Logger('DeadLetter');

/**
 * Copies a message the service could not handle onto the dead-letter topic, with its
 * original topic, partition, offset and the reason in headers, for a person to read in
 * Kafka UI. The consumer then moves on.
 */
export async function setAside(context: KafkaContext, reason: string, details?: unknown): Promise<void> {
  const message = context.getMessage();
  const topic = context.getTopic();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = String(value);
  }
  headers['x-dead-letter-reason'] = reason;
  headers['x-original-topic'] = topic;
  headers['x-original-partition'] = String(context.getPartition());
  headers['x-original-offset'] = String(message.offset);
  if (details !== undefined) headers['x-dead-letter-details'] = JSON.stringify(details);
  const value = typeof message.value === 'string' || Buffer.isBuffer(message.value) ? message.value : JSON.stringify(message.value);
  try {
    await context.getProducer().send({
      topic: DEAD_LETTER_TOPIC,
      messages: [{ key: message.key ?? null, value, headers }],
    });
    logger.warn({ topic, offset: message.offset, reason, requestId: headers[HEADERS.REQUEST_ID] }, `Message from ${topic} set aside on ${DEAD_LETTER_TOPIC}: ${reason}`);
  } catch (error) {
    logger.error({ err: error, topic, offset: message.offset, reason }, `Could not set aside a message from ${topic}; it is logged here instead`);
  }
}
