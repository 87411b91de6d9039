import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app.config';
import { SERVICE_INFO, ServiceInfo } from '../service-info';
import { coalescedSendsInFlight, kafkaClientOptions, replyTopicNamer } from './kafka.options';
import { KAFKA_CLIENT, REPLY_TOPIC_OF, RPC_PATTERNS, RpcClient } from './rpc-client';
import { ShopClientKafka } from './shop-kafka.client';

@Module({})
export class RpcModule {
  /**
   * `sends`: the request-reply patterns this app calls (it listens on their reply
   * topics). An app that only emits events passes none and runs producer-only.
   */
  static forRoot(options: { sends: readonly string[] }): DynamicModule {
    return {
      module: RpcModule,
      global: true,
      providers: [
        { provide: RPC_PATTERNS, useValue: options.sends },
        { provide: REPLY_TOPIC_OF, inject: [AppConfig, SERVICE_INFO], useFactory: (config: AppConfig, info: ServiceInfo) => replyTopicNamer(config, info.name) },
        {
          provide: KAFKA_CLIENT,
          inject: [AppConfig, SERVICE_INFO, REPLY_TOPIC_OF],
          useFactory: (config: AppConfig, info: ServiceInfo, replyTopicOf: (pattern: string) => string) =>
            new ShopClientKafka(kafkaClientOptions(config, info, options.sends.length === 0).options!, replyTopicOf, coalescedSendsInFlight(config)),
        },
        RpcClient,
      ],
      exports: [RpcClient, RPC_PATTERNS, REPLY_TOPIC_OF],
    };
  }
}
