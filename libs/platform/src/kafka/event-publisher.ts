import { Inject, Injectable } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { EventContract, HEADERS } from '@shop/contracts';
import { randomUUID } from 'node:crypto';
import { lastValueFrom } from 'rxjs';
import { eventsPublished } from '../metrics/metrics';
import { KAFKA_CLIENT } from './rpc-client';
import { KAFKA_SETTINGS, KafkaSettings } from './kafka.settings';
import { outgoingHeaders, sendFailure } from './outgoing';
import { inSpan, messagingAttributes, SpanKind } from '../tracing/tracing';

/**
 * Publishes the events of the contract map: JSON value, the entity id as key (as the
 * event's contract derives it), the request id, a fresh event id and the event's name
 * in headers, so a person reading the topic understands each message.
 */
@Injectable()
export class EventPublisher {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly client: ClientKafka,
    @Inject(KAFKA_SETTINGS) private readonly settings: KafkaSettings,
  ) {}

  publish<Payload>(event: EventContract<Payload>, payload: Payload): Promise<void> {
    const key = event.key.of(payload);
    return inSpan(`publish ${event.topic}`, { kind: SpanKind.PRODUCER, attributes: messagingAttributes(event.topic, key) }, async () => {
      const headers = { ...outgoingHeaders(this.settings.instance), [HEADERS.EVENT_ID]: randomUUID(), [HEADERS.EVENT_TYPE]: event.topic };
      try {
        await lastValueFrom(this.client.emit(event.topic, { key, value: payload, headers }));
        eventsPublished.inc({ topic: event.topic });
      } catch (error) {
        throw sendFailure(error, event.topic);
      }
    });
  }
}
