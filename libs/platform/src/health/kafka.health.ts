import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Admin, Kafka } from 'kafkajs';
import { AppConfig } from '../config/app.config';
import { kafkaClientConfig } from '../kafka/kafka.options';
import { RpcClient } from '../kafka/rpc-client';
import { ShopKafkaServer } from '../kafka/shop-kafka.server';
import { SERVICE_INFO, ServiceInfo } from '../service-info';

/** Set by bootstrap when the app consumes requests, so readiness can ask it. */
@Injectable()
export class KafkaServerRef {
  server?: ShopKafkaServer;
}

const ROUND_TRIP_TIMEOUT_MS = 2000;

/**
 * Kafka readiness is a real round trip to the broker (describe cluster), plus: the
 * app's consumer is in its group, and its RPC client owns reply partitions.
 */
@Injectable()
export class KafkaHealthIndicator implements OnApplicationShutdown {
  private admin?: Admin;

  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    readonly serverRef: KafkaServerRef,
    @Optional() private readonly rpc?: RpcClient,
  ) {}

  async check(key = 'kafka') {
    const indicator = this.health.check(key);
    const started = Date.now();
    try {
      const cluster = await withTimeout(this.getAdmin().describeCluster(), ROUND_TRIP_TIMEOUT_MS);
      const problems: string[] = [];
      if (this.serverRef.server && !this.serverRef.server.isJoined()) problems.push('request consumer has not joined its group');
      if (this.rpc && !this.rpc.isReady()) problems.push('no reply partitions assigned yet');
      const facts = { brokers: cluster.brokers.length, roundTripMs: Date.now() - started };
      return problems.length === 0 ? indicator.up(facts) : indicator.down({ ...facts, reason: problems.join('; ') });
    } catch (error) {
      return indicator.down({ reason: `broker unreachable: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect();
  }

  private getAdmin(): Admin {
    this.admin ??= new Kafka({ ...kafkaClientConfig(this.config, `${this.info.instance}-health`), retry: { retries: 0 } }).admin();
    return this.admin;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
