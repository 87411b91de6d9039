import { ClientKafka, KafkaOptions } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import { withCoalescedSends } from './send-coalescer';

/** NestJS's Kafka client whose requests and events can go through a SendCoalescer. */
export class ShopClientKafka extends ClientKafka {
  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly batchSends: boolean,
  ) {
    super(options);
  }

  override createClient<T = Kafka>(): T {
    const kafka = super.createClient<Kafka>();
    return (this.batchSends ? withCoalescedSends(kafka) : kafka) as T;
  }
}
