import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { KAFKA_SETTINGS, KafkaSettings, kafkaConnection } from './kafka.settings';

/** The parts of kafkajs' cluster (internal, kafkajs 2.2.4) that ask a topic's end offsets. */
interface ClusterInternals {
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  refreshMetadata(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  fetchTopicsOffset(topics: { topic: string; fromBeginning: boolean; partitions: { partition: number }[] }[]): Promise<{ partitions: { partition: number; offset: string }[] }[]>;
}

/**
 * kafkajs builds each client's cluster with a method stored under a private symbol; this
 * catches the one built for the admin, so that end offsets can be asked in one ListOffsets
 * round trip (admin.fetchTopicOffsets asks the start offsets too, one after the other).
 */
export function adminWithCluster(kafka: Kafka): { admin: Admin; cluster?: ClusterInternals } {
  const key = Object.getOwnPropertySymbols(kafka).find((symbol) => symbol.description === 'private:Kafka:createCluster');
  const owner = kafka as unknown as Record<symbol, (options: unknown) => ClusterInternals>;
  if (!key || typeof owner[key] !== 'function') return { admin: kafka.admin() };
  const create = owner[key];
  let cluster: ClusterInternals | undefined;
  owner[key] = (options) => (cluster = create(options));
  try {
    return { admin: kafka.admin(), cluster };
  } finally {
    owner[key] = create;
  }
}

/**
 * The app's one Kafka admin connection, for questions to the broker: is it there
 * (readiness, telling a timeout from an outage), how far behind are our groups (lag).
 * No retries: each question has its own short deadline.
 */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private admin?: Admin;
  private cluster?: ClusterInternals;

  constructor(@Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings) {}

  /** The connected admin client. */
  async connected(): Promise<Admin> {
    if (!this.admin) ({ admin: this.admin, cluster: this.cluster } = adminWithCluster(new Kafka(kafkaConnection(this.settings, `${this.settings.instance}-admin`, 0))));
    await this.admin.connect();
    return this.admin;
  }

  /**
   * Where each partition of the topic ends now (its high watermark): one ListOffsets round
   * trip to each partition leader. An error (a leader that moved) refreshes the metadata
   * for the next question and rejects this one.
   */
  async endOffsets(topic: string): Promise<Map<number, number>> {
    const admin = await this.connected();
    const cluster = this.cluster;
    if (!cluster) return new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
    try {
      await cluster.addTargetTopic(topic);
      await cluster.refreshMetadataIfNecessary();
      const partitions = cluster.findTopicPartitionMetadata(topic).map(({ partitionId }) => ({ partition: partitionId }));
      // No partitions would read as "every partition reached": say so instead.
      if (partitions.length === 0) throw new Error(`the broker knows no partition of ${topic}`);
      const [answer] = await cluster.fetchTopicsOffset([{ topic, fromBeginning: false, partitions }]);
      if (!answer) throw new Error(`no end offsets for ${topic}`);
      return new Map(answer.partitions.map(({ partition, offset }) => [partition, Number(offset)]));
    } catch (error) {
      void cluster.refreshMetadata().catch(() => undefined);
      throw error;
    }
  }

  /** A round trip to the broker; rejects when it does not answer within `timeoutMs`. */
  async roundTrip(timeoutMs: number): Promise<{ brokers: number; ms: number }> {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      const cluster = await Promise.race([this.connected().then((admin) => admin.describeCluster()), deadline]);
      return { brokers: cluster.brokers.length, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }
}
