import { ClientKafka, KafkaOptions } from '@nestjs/microservices';
import { Kafka } from 'kafkajs';
import { withCoalescedSends } from './send-coalescer';

/** NestJS's Kafka client whose requests and events go through a SendCoalescer when `sendsInFlight` is set. */
export class ShopClientKafka extends ClientKafka {
  constructor(
    options: Required<KafkaOptions>['options'],
    private readonly sendsInFlight: number | undefined,
  ) {
    super(options);
  }

  override createClient<T = Kafka>(): T {
    const kafka = super.createClient<Kafka>();
    return (this.sendsInFlight ? withCoalescedSends(kafka, this.sendsInFlight) : kafka) as T;
  }
}
