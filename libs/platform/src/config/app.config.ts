import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** Environment every app reads. Defaults suit the native stack (npm start). */
export class AppConfig {
  /** HTTP port for the API (gateway) or health and metrics (services). */
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT!: number;

  /** Interface to listen on; 0.0.0.0 inside containers. */
  @IsString()
  HOST: string = '127.0.0.1';

  /** Comma-separated host:port list. */
  @Matches(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  /** Partitions of every topic this app creates; at least the number of replicas of any app. */
  @IsInt()
  @Min(1)
  @Max(64)
  KAFKA_PARTITIONS: number = 3;

  /** How long a request-reply call waits for its answer before answering 504. */
  @IsInt()
  @Min(100)
  @Max(120_000)
  RPC_TIMEOUT_MS: number = 5000;

  /**
   * How many read requests (read patterns) one consumer answers at once, across its
   * partitions. 1 = one at a time.
   */
  @IsInt()
  @Min(1)
  @Max(1024)
  KAFKA_READ_CONCURRENCY: number = 32;

  /**
   * How many write requests and events one consumer handles at once per partition, each
   * with a different key (those with the same key stay in partition order). 1 = one at a
   * time in partition order.
   */
  @IsInt()
  @Min(1)
  @Max(1024)
  KAFKA_WRITE_CONCURRENCY: number = 32;

  /**
   * Acknowledgement every send waits for: `all` in-sync replicas (durable once a
   * replicated cluster confirms it) or the `leader` only (faster, may lose a message
   * when the leader dies before replicating).
   */
  @IsIn(['all', 'leader'])
  KAFKA_ACKS: 'all' | 'leader' = 'all';

  /**
   * Copies of every partition of the topics this app creates (brokers that hold one):
   * 1 on one broker, 3 on a cluster. Checked at boot against the brokers the cluster has.
   */
  @IsInt()
  @Min(1)
  @Max(7)
  KAFKA_REPLICATION_FACTOR: number = 1;

  /**
   * In-sync copies a send with acks=all needs (`min.insync.replicas` of the topics this app
   * creates); default one less than KAFKA_REPLICATION_FACTOR (2 of 3: one broker may be
   * lost without refusing a write, and no acknowledged write lives on one broker only).
   */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(7)
  KAFKA_MIN_INSYNC_REPLICAS?: number;

  /**
   * How long the broker may hold a fetch that finds nothing new (a message that arrives
   * ends it at once): how often an idle consumer asks, so the idle cost, and, since
   * kafkajs heartbeats between fetches, how soon an idle consumer notices a rebalance.
   */
  @IsInt()
  @Min(0)
  @Max(10_000)
  KAFKA_FETCH_MAX_WAIT_MS: number = 1000;

  /**
   * How long a consumer group waits for a member that stopped heartbeating (killed, frozen)
   * before giving its partitions to the others: the requests on them wait that long. A
   * replica stopped with SIGTERM leaves at once whatever this says. kafkajs' default is
   * 30 s; 10 s still rides out a GC pause or a starved CPU (heartbeats go every second),
   * and the broker refuses less than its group.min.session.timeout.ms (6 s by default).
   */
  @IsInt()
  @Min(6000)
  @Max(300_000)
  KAFKA_SESSION_TIMEOUT_MS: number = 10_000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** `json` lines for machines; `pretty` for a person. Default: pretty only when stdout is a terminal. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Names this replica in logs and Kafka client ids; defaults to <service>-<hostname>-<pid>. */
  @IsOptional()
  @IsString()
  INSTANCE_ID?: string;

  /** `production` makes secrets with dev defaults (JWT_SECRET) required. */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  /**
   * The gateway signs access tokens with it (HS256) and it is the root of the key that
   * seals passwords on their way to user-service, so those two share it. Required when
   * NODE_ENV=production; `jwtSecret()` gives the dev default otherwise.
   */
  @IsOptional()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters' })
  JWT_SECRET?: string;
}

/** Services add their database. */
export class ServiceConfig extends AppConfig {
  /** MongoDB server URI; each service uses its own database on it (MONGO_DB overrides the name). */
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGO_URI must be a mongodb:// URI' })
  MONGO_URI: string = 'mongodb://127.0.0.1:27017';

  @IsOptional()
  @IsString()
  MONGO_DB?: string;
}

/**
 * Reads the environment once through a class-validator class and fails at boot with
 * every bad variable listed. `defaults` are the ones that differ per app (its port).
 */
export function readConfig<T extends AppConfig>(cls: new () => T, env: Record<string, unknown>, defaults: Partial<Record<keyof T, unknown>> = {}): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(cls, { ...defaults, ...present }, { enableImplicitConversion: true });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => ` - ${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return config;
}

export function brokerList(config: Pick<AppConfig, 'KAFKA_BROKERS'>): string[] {
  return config.KAFKA_BROKERS.split(',').map((b) => b.trim());
}
