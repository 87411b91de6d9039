import { Global, Module } from '@nestjs/common';
import { patternsCalledBy } from '@shop/contracts';
import { EventPublisher } from './event-publisher';
import { KAFKA_SETTINGS, KafkaSettings, nestKafkaOptions } from './kafka.settings';
import { KAFKA_CLIENT, RpcClient } from './rpc-client';
import { ShopClientKafka } from './shop-kafka.client';

/**
 * The app's Kafka client, shared by the RpcClient (request-reply, one-way commands)
 * and the EventPublisher. An app that waits for no answer runs it producer-only.
 */
@Global()
@Module({
  providers: [
    {
      provide: KAFKA_CLIENT,
      inject: [KAFKA_SETTINGS],
      useFactory: (settings: KafkaSettings) =>
        new ShopClientKafka({ ...nestKafkaOptions(settings), producerOnlyMode: patternsCalledBy(settings.app).length === 0 }, settings.replyTopic),
    },
    RpcClient,
    EventPublisher,
  ],
  exports: [RpcClient, EventPublisher],
})
export class RpcModule {}
