/**
 * The peer's service: a `Transport.KAFKA` microservice as
 * https://docs.nestjs.com/microservices/kafka shows it, with one
 * `@MessagePattern('demo.echo')` that answers what it got. No database, and only
 * clientId, brokers and groupId set. Started by the bench runner (`KAFKA_BROKERS`).
 */
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, MicroserviceOptions, Payload, Transport } from '@nestjs/microservices';

@Controller()
class EchoController {
  @MessagePattern('demo.echo')
  echo(@Payload() message: { id: string }): { id: string } {
    return message;
  }
}

@Module({ controllers: [EchoController] })
class AppModule {}

async function bootstrap() {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(AppModule, {
    transport: Transport.KAFKA,
    options: {
      client: { clientId: 'demo-service', brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',') },
      consumer: { groupId: 'demo-service' },
    },
  });
  app.enableShutdownHooks(); // see peer-gateway.ts
  await app.listen();
}
void bootstrap();
