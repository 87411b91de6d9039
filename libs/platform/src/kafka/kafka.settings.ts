import { Logger } from '@nestjs/common';
import { KafkaOptions } from '@nestjs/microservices';
import { KafkaLogger } from '@nestjs/microservices/helpers/kafka-logger';
import { AppName, replyTopicOf } from '@shop/contracts';
import { KafkaConfig, logLevel, Partitioners } from 'kafkajs';
import './kafkajs-idle-fix'; // before any client connects: every kafkajs user here reads these settings
import { AppConfig, brokerList } from '../config/app.config';
import { ServiceInfo } from '../service-info';

/**
 * Every Kafka setting of one app, resolved once from its validated config: the RPC
 * client, the request server, the admin and topic creation all read this object.
 */
export interface KafkaSettings {
  /** The app: its consumer groups (requests, replies) are named after it. */
  readonly app: AppName;
  /** This replica, in client ids and the `x-producer` header. */
  readonly instance: string;
  readonly brokers: string[];
  /** Partitions of every topic the app creates, and partitions consumed concurrently. */
  readonly partitions: number;
  /** Where this app reads every answer it waits for. */
  readonly replyTopic: string;
  /** -1: every in-sync replica acknowledges a send; 1: the leader alone. */
  readonly acks: -1 | 1;
  /** Copies of every partition of the topics the app creates, and the in-sync copies a send needs. */
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly fetchMaxWaitMs: number;
  /** How long the group waits for a silent member before moving its partitions. */
  readonly sessionTimeoutMs: number;
  /** Read requests one consumer answers at once. */
  readonly readConcurrency: number;
  /** Writes (and events) of different keys one consumer handles at once per partition. */
  readonly writeConcurrency: number;
  /** How long a caller waits for an answer. */
  readonly rpcTimeoutMs: number;
}

export const KAFKA_SETTINGS = Symbol('KAFKA_SETTINGS');

/** KAFKA_MIN_INSYNC_REPLICAS, else one less than the replication factor (at least 1); never more than it. */
export function minInsyncReplicas(config: Pick<AppConfig, 'KAFKA_REPLICATION_FACTOR' | 'KAFKA_MIN_INSYNC_REPLICAS'>): number {
  const wanted = config.KAFKA_MIN_INSYNC_REPLICAS ?? Math.max(1, config.KAFKA_REPLICATION_FACTOR - 1);
  if (wanted > config.KAFKA_REPLICATION_FACTOR) {
    throw new Error(`KAFKA_MIN_INSYNC_REPLICAS=${wanted} is more than KAFKA_REPLICATION_FACTOR=${config.KAFKA_REPLICATION_FACTOR}: no send could ever be acknowledged`);
  }
  return wanted;
}

export function kafkaSettings(config: AppConfig, info: ServiceInfo): KafkaSettings {
  return {
    app: info.name as AppName,
    instance: info.instance,
    brokers: brokerList(config),
    partitions: config.KAFKA_PARTITIONS,
    replyTopic: replyTopicOf(info.name),
    acks: config.KAFKA_ACKS === 'leader' ? 1 : -1,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: minInsyncReplicas(config),
    fetchMaxWaitMs: config.KAFKA_FETCH_MAX_WAIT_MS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    readConcurrency: config.KAFKA_READ_CONCURRENCY,
    writeConcurrency: config.KAFKA_WRITE_CONCURRENCY,
    rpcTimeoutMs: config.RPC_TIMEOUT_MS,
  };
}

/**
 * The kafkajs connection settings. Retries are short: a caller waits at most
 * RPC_TIMEOUT_MS anyway, and a broker that is down should surface as 503 quickly.
 */
export function kafkaConnection(settings: KafkaSettings, clientId: string, retries = 5): KafkaConfig {
  return {
    clientId,
    brokers: settings.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries },
    logLevel: logLevel.WARN,
    // kafkajs speaks through the app's logger (JSON lines with service and request id).
    logCreator: KafkaLogger.bind(null, new Logger('Kafka')),
  };
}

export type NestKafkaOptions = Required<KafkaOptions>['options'];

/**
 * The options of NestJS's Kafka server (requests, group `<app>-server`) and client
 * (replies, group `<app>-client`; NestJS adds the suffixes). Replicas of one app share
 * each group, so a request is handled once and each replica owns some reply partitions
 * (it asks for its answers on the lowest one: reply topics need >= replicas partitions).
 */
export function nestKafkaOptions(settings: KafkaSettings): NestKafkaOptions {
  return {
    client: kafkaConnection(settings, settings.instance),
    consumer: {
      groupId: settings.app,
      allowAutoTopicCreation: false,
      // A consumer that crashes (e.g. the group coordinator moved) restarts instead of
      // leaving the app up but deaf; handler errors never reach kafkajs (see the filter).
      retry: { restartOnFailure: async () => true },
      sessionTimeout: settings.sessionTimeoutMs,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: settings.fetchMaxWaitMs,
    },
    // A group with no committed offset starts at the beginning, so a request sent while
    // the group formed is not skipped; stale requests are dropped by their deadline.
    subscribe: { fromBeginning: true },
    run: { partitionsConsumedConcurrently: settings.partitions },
    // On a replicated cluster the producer is idempotent: a send kafkajs retries after a
    // leader change is written once. kafkajs needs one request in flight for that, which
    // the coalescer keeps anyway (one Produce request at a time per producer). kafkajs
    // retries an idempotent producer's sends without limit (a limit would void that
    // guarantee, it warns): a caller stops waiting at its deadline, and a request that
    // arrives after it is dropped by its deadline. A producer id the broker no longer
    // accepts is replaced (renewing-producer.ts).
    producer: {
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      ...(settings.replicationFactor > 1 && settings.acks === -1 ? { idempotent: true, maxInFlightRequests: 1 } : {}),
    },
    send: { acks: settings.acks },
  };
}
