import { ClientKafka, KafkaOptions } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import { withCoalescedSends } from './send-coalescer';

/**
 * NestJS's Kafka client with our reply topics (`replyTopicOf`: one topic of this app's
 * own for every pattern, or NestJS's `<pattern>.reply`) and, when `sendsInFlight` is
 * set, requests and events sent through a SendCoalescer.
 */
export class ShopClientKafka extends ClientKafka {
  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly replyTopicOf: (pattern: string) => string,
    private readonly sendsInFlight?: number,
  ) {
    super(options);
  }

  override createClient<T = Kafka>(): T {
    return withCoalescedSends(super.createClient<Kafka>(), this.sendsInFlight) as T;
  }

  /** Listens on the pattern's reply topic, once however many patterns share it. */
  override subscribeToResponseOf(pattern: string): void {
    if (!this.responsePatterns.includes(this.getResponsePatternName(pattern))) super.subscribeToResponseOf(pattern);
  }

  protected override getResponsePatternName(pattern: string): string {
    return this.replyTopicOf(pattern);
  }
}
