import { Context, context, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, TextMapGetter, trace } from '@opentelemetry/api';
import { IHeaders } from 'kafkajs';
import { headerText } from '../auth/principal-headers';
import { requestContext } from '../context/request-context';

/**
 * The spans of the Kafka hops, which this platform makes itself (`send <pattern>` on the
 * caller, `handle <pattern>` in the service) with the W3C `traceparent` on every message.
 * Through @opentelemetry/api only: with tracing off (no SDK, see @shop/telemetry) every
 * call here is a no-op and no header is added.
 */
export const tracer = trace.getTracer('@shop/platform');

export { SpanKind };

/** Kafka header values arrive as Buffers. */
const kafkaHeaders: TextMapGetter<IHeaders> = {
  get: (carrier, key) => headerText(carrier[key]),
  keys: (carrier) => Object.keys(carrier),
};

/** Writes the active span's `traceparent` (and `tracestate`) into headers about to be sent. */
export function injectTraceContext(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

/** The context a received message was sent from: its `traceparent`, or none. */
export function traceContextOf(headers: IHeaders): Context {
  return propagation.extract(ROOT_CONTEXT, headers, kafkaHeaders);
}

/** Runs `work` in a new active span and ends it with the work: status ERROR when it throws. */
export function inSpan<T>(name: string, options: { kind: SpanKind; attributes?: Record<string, string | number | undefined>; parent?: Context }, work: (span: Span) => Promise<T>): Promise<T> {
  const attributes = Object.fromEntries(Object.entries(options.attributes ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  return tracer.startActiveSpan(name, { kind: options.kind, attributes }, options.parent ?? context.active(), async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** What a Kafka span says about its message (OpenTelemetry's messaging conventions) and the call it is part of. */
export function messagingAttributes(topic: string, key: string | null | undefined, more: Record<string, string | number | undefined> = {}) {
  return {
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.kafka.message.key': key ?? undefined,
    'shop.request_id': requestContext.requestId(),
    ...more,
  };
}

/** Adds facts to the active span (the gateway's HTTP span gets the request id). */
export function annotateActiveSpan(attributes: Record<string, string>): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Renames the active span: the HTTP server span by its route template (`GET /api/orders/:id`). */
export function nameActiveSpan(name: string): void {
  trace.getActiveSpan()?.updateName(name);
}

/** Names the outcome of the active span (ok, client_error, timeout, ...), as the metrics do. */
export function recordOutcome(outcome: string, error = false): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.setAttribute('shop.outcome', outcome);
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
}

/** The active span's ids, for log lines; nothing when no span is recording. */
export function traceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span || !span.isRecording()) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId };
}
