import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OperationsEndpoint } from '../auth/public';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthModule } from '../health/health.module';
import { KafkaLagCollector } from './kafka-lag.collector';

collectDefaultMetrics();

@OperationsEndpoint()
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  /** Prometheus text format. */
  @Get()
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}

@Module({ imports: [HealthModule], controllers: [MetricsController], providers: [KafkaLagCollector] })
export class MetricsModule {}
