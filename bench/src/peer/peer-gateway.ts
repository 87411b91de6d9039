/**
 * The peer's HTTP side: the NestJS Kafka request-reply demo as
 * https://docs.nestjs.com/microservices/kafka shows it. `ClientsModule.register` with
 * `Transport.KAFKA` and nothing but clientId, brokers and groupId (every other kafkajs and
 * NestJS option at its default), `subscribeToResponseOf` and `await connect()` in
 * onModuleInit, and one Express route that sends `{ id }` to `demo.echo` and answers the
 * reply. The bench runner starts it as its own process (`PORT`, `KAFKA_BROKERS`) after
 * creating `demo.echo` and `demo.echo.reply` with one partition each.
 */
import { Controller, Get, Inject, Module, OnModuleInit, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientKafka, ClientsModule, Transport } from '@nestjs/microservices';
import { Observable } from 'rxjs';

@Controller()
class EchoController implements OnModuleInit {
  constructor(@Inject('ECHO_SERVICE') private readonly client: ClientKafka) {}

  async onModuleInit() {
    this.client.subscribeToResponseOf('demo.echo');
    await this.client.connect();
  }

  @Get('echo/:id')
  echo(@Param('id') id: string): Observable<{ id: string }> {
    return this.client.send('demo.echo', { id });
  }
}

@Module({
  imports: [
    ClientsModule.register([
      {
        name: 'ECHO_SERVICE',
        transport: Transport.KAFKA,
        options: {
          client: { clientId: 'demo-gateway', brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(',') },
          consumer: { groupId: 'demo-gateway' },
        },
      },
    ]),
  ],
  controllers: [EchoController],
})
class AppModule {}

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.enableShutdownHooks(); // the runner stops it with SIGTERM: leave the consumer group, so the next start joins at once
  await app.listen(process.env.PORT ?? 3000, '127.0.0.1');
}
void bootstrap();
