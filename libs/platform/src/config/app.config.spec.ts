import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configVariables, repositoryFile, undocumentedVariables } from '../testing/test-kit';
import { AppConfig, brokerList, ServiceConfig, readConfig } from './app.config';
import { minInsyncReplicas } from '../kafka/kafka.settings';

/** The error message readConfig throws for env; fails the test if it does not throw. */
function failure(env: Record<string, unknown>): string {
  try {
    readConfig(ServiceConfig, env, { PORT: 3001 });
  } catch (error) {
    assert.ok(error instanceof Error);
    return error.message;
  }
  assert.fail('the environment was accepted');
}

describe('readConfig', () => {
  it('gives the defaults of the native stack, typed, for an empty environment', () => {
    const config = readConfig(ServiceConfig, {}, { PORT: 3001 });
    assert.ok(config instanceof ServiceConfig);
    assert.deepEqual(
      { ...config },
      {
        PORT: 3001,
        HOST: '127.0.0.1',
        KAFKA_BROKERS: '127.0.0.1:9092',
        KAFKA_PARTITIONS: 3,
        RPC_TIMEOUT_MS: 5000,
        KAFKA_READ_CONCURRENCY: 32,
        KAFKA_WRITE_CONCURRENCY: 32,
        KAFKA_ACKS: 'all',
        KAFKA_REPLICATION_FACTOR: 1,
        KAFKA_MIN_INSYNC_REPLICAS: undefined,
        KAFKA_FETCH_MAX_WAIT_MS: 1000,
        KAFKA_SESSION_TIMEOUT_MS: 10_000,
        LOG_LEVEL: 'info',
        LOG_FORMAT: undefined,
        INSTANCE_ID: undefined,
        NODE_ENV: undefined,
        JWT_SECRET: undefined,
        MONGO_URI: 'mongodb://127.0.0.1:27017',
        MONGO_DB: undefined,
      },
    );
  });

  it('reads variables from the environment over the defaults, numbers as numbers', () => {
    const config = readConfig(
      ServiceConfig,
      {
      PORT: '4000',
      HOST: '0.0.0.0',
      KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
      KAFKA_PARTITIONS: '6',
      RPC_TIMEOUT_MS: '250',
      KAFKA_READ_CONCURRENCY: '8',
      KAFKA_WRITE_CONCURRENCY: '4',
      KAFKA_ACKS: 'leader',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_MIN_INSYNC_REPLICAS: '2',
      KAFKA_FETCH_MAX_WAIT_MS: '5',
      KAFKA_SESSION_TIMEOUT_MS: '30000',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'pretty',
      INSTANCE_ID: 'users-1',
      NODE_ENV: 'production',
      JWT_SECRET: 'a-secret-of-at-least-thirty-two-characters',
      MONGO_URI: 'mongodb+srv://db.example.com/shop',
      MONGO_DB: 'users_test',
      },
      { PORT: 3001 },
    );
    assert.deepEqual(
      { ...config },
      {
        PORT: 4000,
        HOST: '0.0.0.0',
        KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
        KAFKA_PARTITIONS: 6,
        RPC_TIMEOUT_MS: 250,
        KAFKA_READ_CONCURRENCY: 8,
        KAFKA_WRITE_CONCURRENCY: 4,
        KAFKA_ACKS: 'leader',
        KAFKA_REPLICATION_FACTOR: 3,
        KAFKA_MIN_INSYNC_REPLICAS: 2,
        KAFKA_FETCH_MAX_WAIT_MS: 5,
        KAFKA_SESSION_TIMEOUT_MS: 30_000,
        LOG_LEVEL: 'debug',
        LOG_FORMAT: 'pretty',
        INSTANCE_ID: 'users-1',
        NODE_ENV: 'production',
        JWT_SECRET: 'a-secret-of-at-least-thirty-two-characters',
        MONGO_URI: 'mongodb+srv://db.example.com/shop',
        MONGO_DB: 'users_test',
      },
    );
  });

  it('treats empty and undefined variables as unset, so the defaults apply', () => {
    const config = readConfig(
      ServiceConfig,
      {
      PORT: '',
      KAFKA_PARTITIONS: '',
      MONGO_URI: undefined,
      LOG_LEVEL: '',
      },
      { PORT: 3001 },
    );
    assert.equal(config.PORT, 3001);
    assert.equal(config.KAFKA_PARTITIONS, 3);
    assert.equal(config.MONGO_URI, 'mongodb://127.0.0.1:27017');
    assert.equal(config.LOG_LEVEL, 'info');
  });

  it('lets the app default override the class default', () => {
    const config = readConfig(AppConfig, {}, { PORT: 3000, HOST: '0.0.0.0' });
    assert.equal(config.PORT, 3000);
    assert.equal(config.HOST, '0.0.0.0');
  });

  it('ignores variables it does not know, such as PATH', () => {
    const config = readConfig(ServiceConfig, { PATH: '/usr/bin', HOME: '/root' }, { PORT: 3001 });
    assert.equal(config.PORT, 3001);
  });

  it('refuses to start without a port when the app gives no default', () => {
    assert.throws(() => readConfig(AppConfig, {}), /PORT/);
  });

  it('lists every bad variable in one error', () => {
    const message = failure({ KAFKA_PARTITIONS: '0', KAFKA_BROKERS: 'nope', MONGO_URI: 'x' });
    assert.match(message, /^Invalid environment:/);
    assert.match(message, /KAFKA_PARTITIONS=0: /);
    assert.match(message, /KAFKA_BROKERS="nope": KAFKA_BROKERS must be a comma-separated list of host:port/);
    assert.match(message, /MONGO_URI="x": MONGO_URI must be a mongodb:\/\/ URI/);
    assert.equal(message.split('\n').length, 4, 'one heading line and one line per bad variable');
  });

  it('refuses a port that is not a number', () => {
    assert.match(failure({ PORT: 'eighty' }), /PORT=/);
  });

  it('refuses a port out of range', () => {
    assert.match(failure({ PORT: '70000' }), /PORT=70000/);
  });

  it('refuses an RPC timeout below 100 ms', () => {
    assert.match(failure({ RPC_TIMEOUT_MS: '50' }), /RPC_TIMEOUT_MS=50/);
  });

  it('refuses an unknown log level', () => {
    assert.match(failure({ LOG_LEVEL: 'loud' }), /LOG_LEVEL="loud"/);
  });

  it('refuses unknown Kafka acknowledgement, fetch wait and read concurrency settings', () => {
    const message = failure({ KAFKA_ACKS: '0', KAFKA_FETCH_MAX_WAIT_MS: '-1', KAFKA_READ_CONCURRENCY: '0', KAFKA_SESSION_TIMEOUT_MS: '3000' });
    for (const name of ['KAFKA_ACKS', 'KAFKA_FETCH_MAX_WAIT_MS', 'KAFKA_READ_CONCURRENCY', 'KAFKA_SESSION_TIMEOUT_MS']) assert.match(message, new RegExp(`${name}=`));
  });

  it('refuses a broker list with spaces or without ports', () => {
    assert.match(failure({ KAFKA_BROKERS: 'a:9092, b:9092' }), /KAFKA_BROKERS/);
    assert.match(failure({ KAFKA_BROKERS: 'a:9092,b' }), /KAFKA_BROKERS/);
  });
});

describe('the documentation of the environment', () => {
  const variables = configVariables(ServiceConfig);

  it('knows the variables (the validation metadata is there)', () => {
    assert.ok(variables.includes('KAFKA_ACKS') && variables.includes('MONGO_URI'), variables.join(', '));
  });

  for (const file of ['README.md', '.env.example']) {
    it(`names no Kafka variable in ${file} that the apps do not read`, () => {
      // A row of the README's variable table (| `KAFKA_ACKS` |) or an assignment in .env.example (KAFKA_ACKS=all).
      const named = repositoryFile(file)
        .split('\n')
        .flatMap((line) => /^(?:\| `)?(KAFKA_[A-Z_]+)(?:`|=)/.exec(line)?.[1] ?? []);
      assert.ok(named.length > 0);
      assert.deepEqual(named.filter((name) => !variables.includes(name)), []);
    });
  }

  for (const file of ['README.md', '.env.example']) {
    it(`names every variable the apps read in ${file}`, () => assert.deepEqual(undocumentedVariables(ServiceConfig, file), []));
  }
});

describe('brokerList', () => {
  it('splits the comma-separated list into host:port entries', () => {
    assert.deepEqual(brokerList({ KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9093' }), ['kafka-1:9092', 'kafka-2:9093']);
  });

  it('gives one entry for one broker', () => {
    assert.deepEqual(brokerList({ KAFKA_BROKERS: '127.0.0.1:9092' }), ['127.0.0.1:9092']);
  });

  it('trims spaces around entries', () => {
    assert.deepEqual(brokerList({ KAFKA_BROKERS: 'a:1 , b:2' }), ['a:1', 'b:2']);
  });
});

describe('Kafka replication settings', () => {
  it('default to one copy on one broker, and one less in sync than the replication factor on a cluster', () => {
    assert.equal(minInsyncReplicas({ KAFKA_REPLICATION_FACTOR: 1 }), 1);
    assert.equal(minInsyncReplicas({ KAFKA_REPLICATION_FACTOR: 3 }), 2);
    assert.equal(minInsyncReplicas({ KAFKA_REPLICATION_FACTOR: 3, KAFKA_MIN_INSYNC_REPLICAS: 3 }), 3);
  });

  it('refuse more in-sync replicas than copies: no send could be acknowledged', () => {
    assert.throws(() => minInsyncReplicas({ KAFKA_REPLICATION_FACTOR: 1, KAFKA_MIN_INSYNC_REPLICAS: 2 }), /KAFKA_MIN_INSYNC_REPLICAS=2 is more than KAFKA_REPLICATION_FACTOR=1/);
  });
});
