import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { KafkaContext } from '@nestjs/microservices';
import { Observable, tap } from 'rxjs';
import { isEvent, toWireError } from '../errors/all-exceptions.filter';
import { Outcome, outcomeOf, rpcServerDuration, rpcServerInFlight } from '../metrics/metrics';
import { recordOutcome } from '../tracing/tracing';

/**
 * Every Kafka message a handler takes: its time and outcome in rpc_server_duration_seconds,
 * the in-flight gauge, and one "Handled <pattern> in N ms: <outcome>" line. It sees the
 * handler's result and its error (validation included) before the exception filter turns
 * the error into a reply or a dead letter.
 */
@Injectable()
export class RpcHandledInterceptor implements NestInterceptor {
  private readonly logger = new Logger('KafkaServer');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const kafka = context.switchToRpc().getContext<KafkaContext>();
    const pattern = kafka.getTopic();
    const started = performance.now();
    rpcServerInFlight.inc({ pattern });
    const finish = (outcome: Outcome) => {
      const seconds = (performance.now() - started) / 1000;
      rpcServerDuration.observe({ pattern, outcome }, seconds);
      rpcServerInFlight.dec({ pattern });
      const ms = Math.round(seconds * 10_000) / 10;
      recordOutcome(outcome, !['ok', 'client_error'].includes(outcome));
      this.logger.log({ pattern, partition: kafka.getPartition(), offset: kafka.getMessage().offset, durationMs: ms, outcome }, `Handled ${pattern} in ${ms} ms: ${outcome}`);
    };
    return next.handle().pipe(
      tap({
        complete: () => finish('ok'),
        error: (error: unknown) => {
          const wire = toWireError(error);
          finish(isEvent(kafka) ? 'dead_letter' : outcomeOf(wire.statusCode, wire.code));
        },
      }),
    );
  }
}
