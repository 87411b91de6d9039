import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { KafkaHealthIndicator, KafkaServerRef } from './kafka.health';

@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  controllers: [HealthController],
  providers: [KafkaHealthIndicator, KafkaServerRef],
  exports: [KafkaHealthIndicator, KafkaServerRef],
})
export class HealthModule {}
