import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app.config';
import { SERVICE_INFO, ServiceInfo } from '../service-info';
import { coalescedSendsInFlight, kafkaClientOptions } from './kafka.options';
import { KAFKA_CLIENT, RPC_PATTERNS, RpcClient } from './rpc-client';
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
        {
          provide: KAFKA_CLIENT,
          inject: [AppConfig, SERVICE_INFO],
          useFactory: (config: AppConfig, info: ServiceInfo) =>
            new ShopClientKafka(kafkaClientOptions(config, info, options.sends.length === 0).options!, coalescedSendsInFlight(config)),
        },
        RpcClient,
      ],
      exports: [RpcClient, RPC_PATTERNS],
    };
  }
}
