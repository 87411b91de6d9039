import { Controller, Get, Optional } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, MongooseHealthIndicator } from '@nestjs/terminus';
import { ApiExcludeController } from '@nestjs/swagger';
import { OperationsEndpoint } from '../auth/public';
import { ModuleRef } from '@nestjs/core';
import { KafkaHealthIndicator } from './kafka.health';

@OperationsEndpoint()
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly mongoose?: MongooseHealthIndicator,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Kafka round trip, consumer and reply partitions; in services, MongoDB too. */
  @Get('ready')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = [() => this.kafka.check('kafka')];
    if (this.hasDatabase() && this.mongoose) checks.push(() => this.mongoose!.pingCheck('mongodb', { timeout: 1500 }));
    return this.health.check(checks);
  }

  private hasDatabase(): boolean {
    try {
      this.moduleRef.get(getConnectionToken(), { strict: false });
      return true;
    } catch {
      return false;
    }
  }
}
