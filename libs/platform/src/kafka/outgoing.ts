import { Logger } from '@nestjs/common';
import { ERROR_CODES, HEADERS, isWireError } from '@shop/contracts';
import { KafkaJSError } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { principalHeaders } from '../auth/principal-headers';
import { requestContext } from '../context/request-context';
import { ShopError } from '../errors/shop.error';
import { injectTraceContext } from '../tracing/tracing';

/**
 * What every message this app sends carries: the request id of the current call, the
 * caller it acts for (if any), who sent it, that it is JSON, and (when tracing) the
 * active span as `traceparent`.
 */
export function outgoingHeaders(instance: string): Record<string, string> {
  const context = requestContext.get();
  const headers = {
    [HEADERS.REQUEST_ID]: context?.requestId ?? randomUUID(),
    ...principalHeaders(context?.principal),
    [HEADERS.PRODUCER]: instance,
    [HEADERS.CONTENT_TYPE]: 'application/json',
  };
  injectTraceContext(headers);
  return headers;
}

const logger = new Logger('Kafka');

/**
 * Why a send failed, as the error the caller answers with: the service's own error
 * (from the reply's error header), 503 when Kafka cannot be reached, 501 when no
 * service handles the pattern, else a bare 500 (logged with its cause).
 */
export function sendFailure(error: unknown, topic: string): ShopError {
  if (error instanceof ShopError) return error;
  const wire = parseWireError(error);
  if (wire) return ShopError.fromWire(wire);
  if (error instanceof KafkaJSError || (error instanceof Error && error.name.startsWith('KafkaJS'))) {
    logger.error({ err: error, topic }, `Kafka unreachable while sending ${topic}`);
    return new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, 'The message broker cannot be reached; try again shortly');
  }
  if (error instanceof Error && error.name === 'InvalidKafkaClientTopicException') {
    return new ShopError(503, ERROR_CODES.KAFKA_UNAVAILABLE, `Not ready to receive answers to ${topic} yet; try again shortly`);
  }
  if (typeof error === 'string' && error.includes('no matching message handler')) {
    return new ShopError(501, ERROR_CODES.NO_HANDLER, `No service handles ${topic}`);
  }
  logger.error({ err: error, topic }, `Unexpected failure sending ${topic}`);
  return new ShopError(500, ERROR_CODES.INTERNAL_ERROR, 'Internal server error');
}

/** The reply's error header arrives as JSON text (or already parsed). */
function parseWireError(error: unknown) {
  if (isWireError(error)) return error;
  if (typeof error === 'string' || Buffer.isBuffer(error)) {
    try {
      const parsed: unknown = JSON.parse(error.toString());
      return isWireError(parsed) ? parsed : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
