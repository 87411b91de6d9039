import { Logger } from '@nestjs/common';
import { KafkaOptions, Transport } from '@nestjs/microservices';
import { KafkaLogger } from '@nestjs/microservices/helpers/kafka-logger';
import { CompressionTypes, KafkaConfig, Partitioners, logLevel } from 'kafkajs';
import { callerReplyTopic, ReplyTopics, replyTopicOf } from '@shop/contracts';
import { AppConfig, brokerList } from '../config/app.config';
import { ServiceInfo } from '../service-info';

/**
 * The kafkajs settings every app shares. Retries are short: a caller waits at most
 * RPC_TIMEOUT_MS anyway, and a broker that is down should surface as 503 quickly.
 */
export function kafkaClientConfig(config: AppConfig, clientId: string): KafkaConfig {
  return {
    clientId,
    brokers: brokerList(config),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
    logLevel: logLevel.WARN,
    // kafkajs speaks through the app's logger (JSON lines with service and request id).
    logCreator: KafkaLogger.bind(null, new Logger('Kafka')),
  };
}

/** Consumer settings: tuned for millisecond RPC, or kafkajs' defaults for comparison. */
function consumerTuning(config: AppConfig) {
  // A consumer that crashes (e.g. the group coordinator moved) restarts instead of
  // leaving the service up but deaf; handler errors never reach kafkajs (see the filter).
  const restart = { retry: { restartOnFailure: async () => true } };
  if (config.KAFKA_PROFILE === 'stock') return { consumer: restart, run: {} };
  return {
    consumer: {
      ...restart,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS,
      minBytes: config.KAFKA_FETCH_MIN_BYTES,
    },
    run: { partitionsConsumedConcurrently: config.KAFKA_PARTITIONS },
  };
}

/** What every send asks of the broker: acknowledgement and compression. */
function sendOptions(config: AppConfig) {
  return {
    acks: config.KAFKA_ACKS === 'leader' ? 1 : -1,
    compression: config.KAFKA_COMPRESSION === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
  };
}

/** Where this app's answers go: `<app>.replies` (tuned default) or NestJS's `<pattern>.reply`. */
export function replyTopics(config: AppConfig): ReplyTopics {
  return config.KAFKA_PROFILE === 'stock' ? 'per-pattern' : config.KAFKA_REPLY_TOPICS;
}

/** The reply topic of each pattern for the app `app`. */
export function replyTopicNamer(config: AppConfig, app: string): (pattern: string) => string {
  return replyTopics(config) === 'per-caller' ? () => callerReplyTopic(app) : replyTopicOf;
}

/** How many coalesced Produce requests a producer keeps in flight; undefined: plain kafkajs sends (stock profile, or KAFKA_BATCH_SENDS=off). */
export function coalescedSendsInFlight(config: AppConfig): number | undefined {
  return config.KAFKA_PROFILE === 'tuned' && config.KAFKA_BATCH_SENDS === 'on' ? config.KAFKA_SENDS_IN_FLIGHT : undefined;
}

/**
 * Options of a service's Kafka server: one consumer group per service (replicas share
 * it, so each request is handled once), partitions consumed concurrently, and no
 * topic ever created by accident.
 */
export function kafkaServerOptions(config: AppConfig, info: ServiceInfo): Required<KafkaOptions>['options'] {
  const tuning = consumerTuning(config);
  return {
    client: kafkaClientConfig(config, info.instance),
    consumer: { groupId: info.name, allowAutoTopicCreation: false, ...tuning.consumer },
    // A group with no committed offset starts at the beginning, so a request sent while
    // the group formed is not skipped; stale requests are dropped by their deadline.
    subscribe: { fromBeginning: true },
    run: tuning.run,
    producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
    send: sendOptions(config),
  };
}

/** Options of a request-reply / event client (ClientKafka). */
export function kafkaClientOptions(config: AppConfig, info: ServiceInfo, producerOnly: boolean): KafkaOptions {
  const tuning = consumerTuning(config);
  return {
    transport: Transport.KAFKA,
    options: {
      client: kafkaClientConfig(config, info.instance),
      consumer: {
        // Replicas of one app share the reply group: each owns some reply partitions and
        // asks for its answers on the lowest one, so reply topics need >= replicas partitions.
        groupId: info.name,
        allowAutoTopicCreation: false,
        ...tuning.consumer,
      },
      subscribe: { fromBeginning: true },
      run: tuning.run,
      producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
      send: sendOptions(config),
      producerOnlyMode: producerOnly,
    },
  };
}
