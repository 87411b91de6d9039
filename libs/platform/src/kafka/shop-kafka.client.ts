import { ClientKafka } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import { NestKafkaOptions } from './kafka.settings';
import { withCoalescedSends } from './send-coalescer';

/**
 * NestJS's Kafka client with every answer this app waits for on one topic of its own
 * (`replyTopic`, instead of NestJS's `<pattern>.reply`), and requests and events sent
 * through a SendCoalescer.
 */
export class ShopClientKafka extends ClientKafka {
  constructor(
    options: NestKafkaOptions,
    private readonly replyTopic: string,
  ) {
    super(options);
  }

  override createClient<T = Kafka>(): T {
    return withCoalescedSends(super.createClient<Kafka>()) as T;
  }

  /** Listens on the reply topic, once however many patterns share it. */
  override subscribeToResponseOf(pattern: string): void {
    if (!this.responsePatterns.includes(this.replyTopic)) super.subscribeToResponseOf(pattern);
  }

  protected override getResponsePatternName(): string {
    return this.replyTopic;
  }

  /** The group of the reply listener, as NestJS names it (the app's name and `-client`). */
  get consumerGroup(): string {
    return this.groupId;
  }
}
