import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { KafkaServerRef } from '../health/kafka.health';
import { KafkaAdmin } from '../kafka/kafka-admin';
import { KAFKA_SETTINGS, KafkaSettings } from '../kafka/kafka.settings';
import { RpcClient } from '../kafka/rpc-client';

/**
 * kafka_consumer_lag{group,topic,partition}: how far this app's groups (its request
 * consumer, its reply listener) are behind, read from the broker at scrape time.
 */
@Injectable()
export class KafkaLagCollector implements OnModuleInit {
  constructor(
    private readonly broker: KafkaAdmin,
    private readonly serverRef: KafkaServerRef,
    private readonly rpc: RpcClient,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
  ) {}

  onModuleInit(): void {
    const collector = this;
    new Gauge({
      name: 'kafka_consumer_lag',
      help: 'Messages not yet consumed, by consumer group, topic and partition',
      labelNames: ['group', 'topic', 'partition'] as const,
      async collect() {
        this.reset();
        for (const { group, topic, partition, lag } of await collector.lags()) this.set({ group, topic, partition: String(partition) }, lag);
      },
    });
  }

  private groups(): { group: string; topics: string[] }[] {
    const groups: { group: string; topics: string[] }[] = [];
    const server = this.serverRef.server;
    if (server) groups.push({ group: server.consumerGroup, topics: [...server.getHandlers().keys()] });
    const replyGroup = this.rpc.replyGroup();
    if (replyGroup) groups.push({ group: replyGroup, topics: [this.settings.replyTopic] });
    return groups;
  }

  async lags(): Promise<{ group: string; topic: string; partition: number; lag: number }[]> {
    try {
      const admin = await this.broker.connected();
      const result: { group: string; topic: string; partition: number; lag: number }[] = [];
      for (const { group, topics } of this.groups()) {
        const committed = await admin.fetchOffsets({ groupId: group, topics });
        for (const { topic, partitions } of committed) {
          const ends = await this.broker.endOffsets(topic);
          for (const { partition, offset } of partitions) {
            const end = ends.get(partition) ?? 0;
            const done = Number(offset) < 0 ? 0 : Number(offset);
            result.push({ group, topic, partition, lag: Math.max(0, end - done) });
          }
        }
      }
      return result;
    } catch {
      return []; // the scrape still answers; readiness reports the broker
    }
  }
}
