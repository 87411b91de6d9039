import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { KAFKA_SETTINGS, KafkaSettings, kafkaConnection } from './kafka.settings';

/**
 * The app's one Kafka admin connection, for questions to the broker: is it there
 * (readiness, telling a timeout from an outage), how far behind are our groups (lag).
 * No retries: each question has its own short deadline.
 */
@Injectable()
export class KafkaAdmin implements OnApplicationShutdown {
  private admin?: Admin;

  constructor(@Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings) {}

  /** The connected admin client. */
  async connected(): Promise<Admin> {
    this.admin ??= new Kafka(kafkaConnection(this.settings, `${this.settings.instance}-admin`, 0)).admin();
    await this.admin.connect();
    return this.admin;
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
