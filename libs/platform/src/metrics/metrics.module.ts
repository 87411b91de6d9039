import { Controller, Get, Header, Module } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OperationsEndpoint } from '../auth/public';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthModule } from '../health/health.module';
import { KafkaLagCollector } from './kafka-lag.collector';

// The event-loop lag histogram samples every 50 ms instead of prom-client's 10: a stall
// of 50 ms or more always shows, shorter ones in proportion to their length, and an idle
// app wakes 20 times a second for it instead of 100 (0.0045 -> about 0.002 of a core).
collectDefaultMetrics({ eventLoopMonitoringPrecision: 50 });

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
