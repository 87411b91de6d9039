import { Logger } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { allTopics, CHANGELOG_TOPICS } from '@shop/contracts';
import { KafkaSettings, kafkaConnection } from './kafka.settings';

const logger = new Logger('Topics');

/**
 * Changelogs keep each key's last record. Tombstones too, for ever (delete.retention.ms at
 * its maximum): a reader knows it has read a partition to its end when it has read the
 * record before the end offset, and compaction never removes that record unless it is a
 * tombstone older than delete.retention.ms; two small records per deleted product are
 * the price.
 */
const CHANGELOG_CONFIG = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'delete.retention.ms', value: String(Number.MAX_SAFE_INTEGER) },
];

/**
 * Creates the topics of the contract maps that are missing and adds partitions to those
 * that have fewer than configured. Idempotent, so every replica of every app may run it at boot.
 */
export async function ensureTopics(settings: KafkaSettings, topics: string[] = allTopics()): Promise<void> {
  const clientId = settings.instance;
  const admin = new Kafka(kafkaConnection(settings, `${clientId}-admin`)).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    if (brokers.length < settings.replicationFactor) {
      throw new Error(`KAFKA_REPLICATION_FACTOR=${settings.replicationFactor} needs at least that many brokers; the cluster at ${settings.brokers.join(',')} has ${brokers.length}`);
    }
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: settings.partitions,
            replicationFactor: settings.replicationFactor,
            configEntries: [
              { name: 'min.insync.replicas', value: String(settings.minInsyncReplicas) },
              ...(CHANGELOG_TOPICS.includes(topic) ? CHANGELOG_CONFIG : []),
            ],
          })),
        });
      } catch (error) {
        // Another replica created some of them at the same moment, or (on a cluster) not every
        // broker knows them yet: fine once every one of them has its metadata.
        await untilKnown(() => admin.fetchTopicMetadata({ topics: missing })).catch(() => {
          throw error;
        });
      }
      logger.log({ topics: missing, partitions: settings.partitions, replicationFactor: settings.replicationFactor }, `Created ${missing.length} topics`);
    }
    // On a cluster, a topic another replica just created reaches every broker's metadata a moment later.
    const metadata = await untilKnown(() => admin.fetchTopicMetadata({ topics }));
    const underReplicated = metadata.topics.filter((t) => t.partitions.some((p) => p.replicas.length < settings.replicationFactor));
    if (underReplicated.length > 0) {
      // A topic keeps the replication it was created with; raising it is an operator's reassignment.
      logger.warn({ topics: underReplicated.map((t) => t.name) }, `${underReplicated.length} topics have fewer than ${settings.replicationFactor} replicas (created before KAFKA_REPLICATION_FACTOR was raised)`);
    }
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

/** Retries a metadata read while the brokers do not know a topic yet (a retriable protocol error), for up to 15 s. */
async function untilKnown<T>(read: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!(error as { retriable?: boolean }).retriable || Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
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
