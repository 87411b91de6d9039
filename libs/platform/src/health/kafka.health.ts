import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { KafkaAdmin } from '../kafka/kafka-admin';
import { RpcClient } from '../kafka/rpc-client';
import { ShopKafkaServer } from '../kafka/shop-kafka.server';

/** Set by bootstrap when the app consumes requests, so readiness (and state kept per owned partition) can ask it. */
@Injectable()
export class KafkaServerRef {
  server?: ShopKafkaServer;
  /** Counts the group's rebalances: the partitions this replica owns may have changed with each. */
  generation = 0;
  private readonly listeners: (() => void)[] = [];

  /** `listener` is told of every rebalance from now on: a replica joined or left the group. */
  onRebalance(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** The consumer (re)joined its group. */
  rebalanced(): void {
    this.generation++;
    for (const listener of this.listeners) listener();
  }
}

const ROUND_TRIP_TIMEOUT_MS = 2000;

/**
 * Kafka readiness is a real round trip to the broker (describe cluster), plus: the
 * app's consumer is in its group, and its RPC client owns reply partitions.
 */
@Injectable()
export class KafkaHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly broker: KafkaAdmin,
    readonly serverRef: KafkaServerRef,
    private readonly rpc: RpcClient,
  ) {}

  async check(key = 'kafka') {
    const indicator = this.health.check(key);
    try {
      const { brokers, ms } = await this.broker.roundTrip(ROUND_TRIP_TIMEOUT_MS);
      const problems: string[] = [];
      if (this.serverRef.server && !this.serverRef.server.isJoined()) problems.push('request consumer has not joined its group');
      if (!this.rpc.isReady()) problems.push('no reply partitions assigned yet');
      const facts = { brokers, roundTripMs: ms };
      return problems.length === 0 ? indicator.up(facts) : indicator.down({ ...facts, reason: problems.join('; ') });
    } catch (error) {
      return indicator.down({ reason: `broker unreachable: ${error instanceof Error ? error.message : String(error)}` });
    }
  }
}
