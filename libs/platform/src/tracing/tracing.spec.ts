import 'reflect-metadata';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { requestContext } from '../context/request-context';
import { outgoingHeaders } from '../kafka/outgoing';
import { inSpan, messagingAttributes, SpanKind, traceContextOf, traceIds } from './tracing';

// The tests run in order: first with no SDK (tracing off), then with one registered.
describe('Kafka tracing with tracing off (no SDK)', () => {
  it('adds no header, runs the work, and gives log lines no ids', async () => {
    const headers = outgoingHeaders('test-1');
    assert.equal(headers.traceparent, undefined);
    const result = await inSpan('send x', { kind: SpanKind.CLIENT }, async () => traceIds());
    assert.equal(result, undefined);
  });
});

describe('Kafka tracing with an SDK', () => {
  const exporter = new InMemorySpanExporter();
  before(() => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  });

  it('puts the sending span on the message, and the handler’s span is its child', async () => {
    const sent = await requestContext.run({ requestId: 'r-1' }, () =>
      inSpan('send order.create', { kind: SpanKind.CLIENT, attributes: messagingAttributes('order.create', 'k-1') }, async () => ({ headers: outgoingHeaders('gateway-1'), ids: traceIds()! })),
    );
    assert.match(sent.headers.traceparent, new RegExp(`^00-${sent.ids.traceId}-${sent.ids.spanId}-01$`));
    const received = Object.fromEntries(Object.entries(sent.headers).map(([k, v]) => [k, Buffer.from(v)]));
    await inSpan('handle order.create', { kind: SpanKind.SERVER, parent: traceContextOf(received) }, async () => undefined);
    const byName = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;
    const [send, handle] = [byName('send order.create'), byName('handle order.create')];
    assert.equal(handle.spanContext().traceId, send.spanContext().traceId);
    assert.equal(handle.parentSpanContext?.spanId, send.spanContext().spanId);
    assert.equal(send.attributes['shop.request_id'], 'r-1');
    assert.equal(send.attributes['messaging.kafka.message.key'], 'k-1');
  });

  it('marks a span that failed, and still ends it', async () => {
    await assert.rejects(inSpan('send user.get', { kind: SpanKind.CLIENT }, async () => { throw new Error('no answer'); }), /no answer/);
    const failed = exporter.getFinishedSpans().at(-1)!;
    assert.equal(failed.name, 'send user.get');
    assert.equal(failed.status.code, 2);
    assert.equal(failed.status.message, 'no answer');
  });
});
