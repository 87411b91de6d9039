import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

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
   * `tuned` (default): short fetch waits, fast heartbeats, partitions consumed
   * concurrently. `stock`: kafkajs and NestJS defaults, as a demo would run them;
   * the benchmark compares the two.
   */
  @IsIn(['tuned', 'stock'])
  KAFKA_PROFILE: 'tuned' | 'stock' = 'tuned';

  /**
   * How many read requests (READ_PATTERNS) one consumer answers at once, across its
   * partitions; writes stay one at a time per partition. 1 = everything in order.
   * The stock profile always uses 1.
   */
  @IsInt()
  @Min(1)
  @Max(1024)
  KAFKA_READ_CONCURRENCY: number = 32;

  /**
   * Tuned profile: sends made while a Produce request is in flight go out together in
   * the next one (see SendCoalescer); `off` sends one request per message as kafkajs does.
   */
  @IsIn(['on', 'off'])
  KAFKA_BATCH_SENDS: 'on' | 'off' = 'on';

  /** With KAFKA_BATCH_SENDS: how many coalesced Produce requests one producer has awaiting their acknowledgement. */
  @IsInt()
  @Min(1)
  @Max(16)
  KAFKA_SENDS_IN_FLIGHT: number = 1;

  /**
   * Tuned profile: `per-caller` sends every answer an app waits for to its own
   * `<app>.replies` topic; `per-pattern` to NestJS's `<pattern>.reply`, which every
   * caller of the pattern reads (the stock profile always uses per-pattern).
   */
  @IsIn(['per-caller', 'per-pattern'])
  KAFKA_REPLY_TOPICS: 'per-caller' | 'per-pattern' = 'per-caller';

  /** Acknowledgement every send waits for: `all` in-sync replicas (kafkajs' default) or the `leader` only. */
  @IsIn(['all', 'leader'])
  KAFKA_ACKS: 'all' | 'leader' = 'all';

  /** Compression of produced batches; kafkajs has gzip built in. */
  @IsIn(['none', 'gzip'])
  KAFKA_COMPRESSION: 'none' | 'gzip' = 'none';

  /** Tuned profile: how long the broker may hold a fetch that has less than KAFKA_FETCH_MIN_BYTES (stock: 5000). */
  @IsInt()
  @Min(0)
  @Max(10_000)
  KAFKA_FETCH_MAX_WAIT_MS: number = 100;

  /** Tuned profile: how many bytes a fetch waits for, up to KAFKA_FETCH_MAX_WAIT_MS (stock: 1). */
  @IsInt()
  @Min(1)
  @Max(1_048_576)
  KAFKA_FETCH_MIN_BYTES: number = 1;

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
 * Reads the environment once through a class-validator class and fails at boot
 * with every bad variable listed (given to ConfigModule.forRoot as `validate`).
 */
export function validateEnv<T extends AppConfig>(
  cls: new () => T,
  defaults: Partial<Record<keyof T, unknown>> = {},
): (env: Record<string, unknown>) => T {
  return (env) => {
    const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
    const config = plainToInstance(cls, { ...defaults, ...present }, { enableImplicitConversion: true });
    const errors = validateSync(config, { whitelist: false });
    if (errors.length > 0) {
      const lines = errors.map((e) => ` - ${e.property}=${JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
      throw new Error(`Invalid environment:\n${lines.join('\n')}`);
    }
    return config;
  };
}

export function brokerList(config: Pick<AppConfig, 'KAFKA_BROKERS'>): string[] {
  return config.KAFKA_BROKERS.split(',').map((b) => b.trim());
}
