import { Logger } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { allTopics } from '@shop/contracts';
import { KafkaSettings, kafkaConnection } from './kafka.settings';

const logger = new Logger('Topics');

/**
 * Creates the topics of the contract maps that are missing and adds partitions to those
 * that have fewer than configured. Idempotent, so every replica of every app may run it at boot.
 */
export async function ensureTopics(settings: KafkaSettings, topics: string[] = allTopics()): Promise<void> {
  const clientId = settings.instance;
  const admin = new Kafka(kafkaConnection(settings, `${clientId}-admin`)).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: settings.partitions })),
        });
      } catch (error) {
        // Another replica created some of them at the same moment: fine if they exist now.
        const now = new Set(await admin.listTopics());
        if (missing.some((t) => !now.has(t))) throw error;
      }
      logger.log({ topics: missing, partitions: settings.partitions }, `Created ${missing.length} topics`);
    }
    const metadata = await admin.fetchTopicMetadata({ topics });
    const short = metadata.topics.filter((t) => t.partitions.length < settings.partitions);
    if (short.length > 0) {
      await admin.createPartitions({
        topicPartitions: short.map((t) => ({ topic: t.name, count: settings.partitions })),
      });
      logger.log({ topics: short.map((t) => t.name) }, `Raised ${short.length} topics to ${settings.partitions} partitions`);
    }
    await waitForGroupCoordinator(admin, clientId);
  } finally {
    await admin.disconnect();
  }
}

/**
 * On a fresh broker the offsets topic is created by the first group that asks, and
 * consumers that join meanwhile fail with "group coordinator not available". Asking
 * once here, until it answers, lets the app's consumers join at the first attempt.
 */
async function waitForGroupCoordinator(admin: Admin, clientId: string, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await admin.describeGroups([`${clientId}-probe`]);
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
