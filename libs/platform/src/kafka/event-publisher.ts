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
    return this.send(event.topic, event.key.of(payload), payload);
  }

  /**
   * Writes the state of `key` to a changelog (CHANGELOG_TOPICS): the record replaces
   * what the key held; null deletes it (a tombstone). Resolves once the broker has it.
   */
  writeState(topic: string, key: string, state: object | null): Promise<void> {
    return this.send(topic, key, state);
  }

  private send(topic: string, key: string, value: unknown): Promise<void> {
    return inSpan(`publish ${topic}`, { kind: SpanKind.PRODUCER, attributes: messagingAttributes(topic, key) }, async () => {
      const headers = { ...outgoingHeaders(this.settings.instance), [HEADERS.EVENT_ID]: randomUUID(), [HEADERS.EVENT_TYPE]: topic };
      try {
        await lastValueFrom(this.client.emit(topic, { key, value, headers }));
        eventsPublished.inc({ topic });
      } catch (error) {
        throw sendFailure(error, topic);
      }
    });
  }
}
