import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AppName, pings } from '@shop/contracts';
import { hostname } from 'node:os';
import { register } from 'prom-client';
import { AppConfig, readConfig } from './config/app.config';
import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { ShopValidationPipe } from './errors/validation.pipe';
import { HealthModule } from './health/health.module';
import { KafkaAdmin } from './kafka/kafka-admin';
import { KAFKA_SETTINGS, kafkaSettings } from './kafka/kafka.settings';
import { RpcHandledInterceptor } from './kafka/rpc-handled.interceptor';
import { RpcModule } from './kafka/rpc.module';
import { loggerModule } from './logging/logger.module';
import { MetricsModule } from './metrics/metrics.module';
import { pingController } from './ping.controller';
import { SERVICE_INFO, ServiceInfo } from './service-info';

export interface PlatformOptions<T extends AppConfig> {
  /** The app's name: its consumer groups, its `service` in logs. */
  service: AppName;
  /** The app's config class; validated from the environment once, at boot. */
  config: new () => T;
  /** Defaults that differ per app (its port). */
  defaults?: Partial<Record<keyof T, unknown>>;
}

/**
 * What every app shares: validated config, its Kafka settings, JSON logs, the error
 * filter, validation pipe and handled-message interceptor (HTTP and Kafka alike),
 * health and metrics. Each app imports it once.
 */
@Module({})
export class PlatformModule {
  static forRoot<T extends AppConfig>(options: PlatformOptions<T>): DynamicModule {
    const config = readConfig(options.config, process.env, options.defaults);
    const info: ServiceInfo = { name: options.service, instance: config.INSTANCE_ID ?? `${options.service}-${hostname()}-${process.pid}` };
    register.setDefaultLabels({ service: info.name, instance: info.instance });
    return {
      module: PlatformModule,
      global: true,
      imports: [loggerModule(config, info), RpcModule, HealthModule, MetricsModule],
      // A service answers its own ping (GET /api/status), with no database.
      controllers: pings()
        .filter((p) => p.service === options.service)
        .map((p) => pingController(p.contract.pattern)),
      providers: [
        // Under its own class and each one it extends (AppConfig, ServiceConfig, ...).
        ...configClasses(options.config).map((cls) => ({ provide: cls, useValue: config })),
        { provide: SERVICE_INFO, useValue: info },
        { provide: KAFKA_SETTINGS, useValue: kafkaSettings(config, info) },
        KafkaAdmin,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useClass: ShopValidationPipe },
        // The gateway handles no Kafka messages: every interceptor costs each HTTP call.
        ...(options.service === 'gateway' ? [] : [{ provide: APP_INTERCEPTOR, useClass: RpcHandledInterceptor }]),
      ],
      exports: [...configClasses(options.config), SERVICE_INFO, KAFKA_SETTINGS, KafkaAdmin, HealthModule],
    };
  }
}

/** The config class and every class it extends, up to AppConfig. */
function configClasses(cls: new () => AppConfig): Array<new () => AppConfig> {
  const chain: Array<new () => AppConfig> = [];
  for (let c: unknown = cls; c && c !== Object; c = Object.getPrototypeOf(c)) {
    chain.push(c as new () => AppConfig);
    if (c === AppConfig) break;
  }
  return chain;
}
