import { DynamicModule, Module } from '@nestjs/common';
import { hostname } from 'node:os';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AppConfig, validateEnv } from './config/app.config';
import { AllExceptionsFilter } from './errors/all-exceptions.filter';
import { ShopValidationPipe } from './errors/validation.pipe';
import { HealthModule } from './health/health.module';
import { loggerModule } from './logging/logger.module';
import { MetricsModule } from './metrics/metrics.module';
import { register } from 'prom-client';
import { KafkaAdmin } from './kafka/kafka-admin';
import { SERVICE_INFO, ServiceInfo } from './service-info';

export interface PlatformOptions<T extends AppConfig> {
  /** The app's name: its consumer group, its `service` in logs. */
  service: string;
  /** The app's config class; validated from the environment once, at boot. */
  config: new () => T;
  /** Defaults that differ per app (its port). */
  defaults?: Partial<Record<keyof T, unknown>>;
}

/**
 * What every app shares: validated config, JSON logs, the error filter and validation
 * pipe (HTTP and Kafka alike), health and metrics. Each app imports it once.
 */
@Module({})
export class PlatformModule {
  static forRoot<T extends AppConfig>(options: PlatformOptions<T>): DynamicModule {
    let config: T | undefined;
    const configModule = ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: (env) => (config = validateEnv(options.config, options.defaults)(env)),
    });
    const validated = config as unknown as T;
    const info: ServiceInfo = { name: options.service, instance: validated.INSTANCE_ID ?? `${options.service}-${hostname()}-${process.pid}` };
    register.setDefaultLabels({ service: info.name, instance: info.instance });
    return {
      module: PlatformModule,
      global: true,
      imports: [configModule, loggerModule(validated, info), HealthModule, MetricsModule],
      providers: [
        { provide: AppConfig, useValue: validated },
        ...(options.config === (AppConfig as unknown) ? [] : [{ provide: options.config, useValue: validated }]),
        { provide: SERVICE_INFO, useValue: info },
        KafkaAdmin,
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useClass: ShopValidationPipe },
      ],
      exports: [AppConfig, options.config, SERVICE_INFO, KafkaAdmin],
    };
  }
}
