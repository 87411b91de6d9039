import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { KafkaContext, KafkaHeaders } from '@nestjs/microservices';
import { ERROR_CODES, WireError } from '@shop/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, of, throwError } from 'rxjs';
import { requestContext } from '../context/request-context';
import { setAside } from '../kafka/dead-letter';
import { allowedMethods, pathOf } from './allowed-methods';
import { ShopError } from './shop.error';

const HTTP_CODES: Record<number, string> = {
  400: ERROR_CODES.VALIDATION_FAILED,
  404: ERROR_CODES.NOT_FOUND,
  413: ERROR_CODES.PAYLOAD_TOO_LARGE,
  415: ERROR_CODES.UNSUPPORTED_MEDIA_TYPE,
  503: 'SERVICE_UNAVAILABLE',
};

const INTERNAL: WireError = { statusCode: 500, code: ERROR_CODES.INTERNAL_ERROR, message: 'Internal server error' };

/** Any thrown value as the wire shape; unknown errors become 500 without internals. */
export function toWireError(error: unknown): WireError {
  if (error instanceof ShopError) return error.toWire();
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const body = typeof response === 'object' && response !== null ? (response as Record<string, unknown>) : {};
    const message = typeof body.message === 'string' ? body.message : error.message;
    // Health checks answer 503 with what is down: keep it.
    const { statusCode: _s, message: _m, ...rest } = body;
    if (typeof rest.error === 'string') delete rest.error; // Nest's own label, e.g. 'Not Found'
    const wire: WireError = { statusCode: status, code: HTTP_CODES[status] ?? `HTTP_${status}`, message };
    return Object.keys(rest).length > 0 ? { ...wire, details: rest } : wire;
  }
  // A framework's own refusal of the request (Fastify's body reader when the client goes
  // away mid-body): a 4xx it named, without its words.
  const status = clientErrorStatus(error);
  if (status !== undefined) return { statusCode: status, code: HTTP_CODES[status] ?? `HTTP_${status}`, message: 'The request could not be read' };
  return INTERNAL;
}

function clientErrorStatus(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined;
  const status = (error as { statusCode?: unknown; status?: unknown }).statusCode ?? (error as { status?: unknown }).status;
  return typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500 ? status : undefined;
}

/**
 * The one exception filter of every app. HTTP: the error body with the request id.
 * Kafka request: the wire error in the reply. Kafka event: logged and set aside on
 * the dead-letter topic, so the consumer goes on.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(thrown: unknown, host: ArgumentsHost): Observable<unknown> | void {
    const request = host.getType() === 'http' ? host.switchToHttp().getRequest<FastifyRequest>() : undefined;
    // No route has this method and path: that is the answer, whatever else was wrong (Fastify
    // reads the body before its not-found handler runs, and refuses a bad one first).
    const error = request?.is404 === true && !(thrown instanceof NotFoundException) ? new NotFoundException(`Cannot ${request.method} ${pathOf(request)}`) : thrown;
    const wire = toWireError(error);
    if (wire.code === ERROR_CODES.INTERNAL_ERROR) {
      this.logger.error({ err: error, code: wire.code }, `Unhandled error: ${describe(error)}`);
    } else if (error instanceof ShopError && wire.statusCode >= 500) {
      this.logger.warn({ code: wire.code, details: wire.details }, `Answered ${wire.statusCode} ${wire.code}: ${wire.message}`);
    }
    if (request) {
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      const requestId = requestContext.requestId() ?? request.id;
      const allowed = error instanceof NotFoundException ? allowedMethods(request) : [];
      if (allowed.length > 0) {
        // The path exists, the method does not: 405 with the methods it has (RFC 9110 15.5.6).
        reply.header('Allow', [...allowed, 'OPTIONS'].join(', '));
        if (request.method === 'OPTIONS') return void reply.status(204).send();
        const message = `${request.method} is not allowed on ${pathOf(request)}; it answers ${allowed.join(', ')}`;
        return void reply.status(405).send({ statusCode: 405, code: ERROR_CODES.METHOD_NOT_ALLOWED, message, requestId });
      }
      return void reply.status(wire.statusCode).send({ ...wire, requestId });
    }
    const context = host.switchToRpc().getContext<KafkaContext>();
    if (isEvent(context)) {
      // Settle with a value: the event is handled (set aside), and the consumer moves on.
      // (An empty or failing stream here would make kafkajs retry it and crash the consumer.)
      return of(setAside(context, `${wire.code}: ${wire.message}`, wire.details));
    }
    return throwError(() => wire);
  }
}

/** A message nobody waits an answer for (no reply topic): an event or a one-way command. */
export function isEvent(context: KafkaContext): boolean {
  const headers = context.getMessage().headers ?? {};
  return headers[KafkaHeaders.REPLY_TOPIC] === undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
