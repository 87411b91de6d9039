import { DynamicModule, INestApplication, Logger } from '@nestjs/common';
import { getConnectionToken, MongooseModule } from '@nestjs/mongoose';
import mongoose, { ConnectOptions, Connection } from 'mongoose';
import { ServiceConfig } from './config/app.config';
import './mongodb-idle-fix'; // before the first pool is made ready

// Operator keys in input are refused by ShopValidationPipe before any query is built;
// filters are then only written in code.
mongoose.set('strictQuery', true);

const RETRY_MS = 2000;
const logger = new Logger('Database');

/**
 * The service's own database on MONGO_URI. The service boots without it (and reports
 * not ready), and keeps trying until the server answers: mongoose alone gives up after
 * a failed first connection.
 */
export function databaseModule(defaultDbName: string): DynamicModule {
  return MongooseModule.forRootAsync({
    inject: [ServiceConfig],
    useFactory: (config: ServiceConfig) => {
      const options: ConnectOptions = { dbName: config.MONGO_DB ?? defaultDbName, serverSelectionTimeoutMS: 3000, maxPoolSize: 20, retryWrites: false };
      return { uri: config.MONGO_URI, ...options, lazyConnection: true, connectionFactory: (connection: Connection) => keepConnecting(connection, config.MONGO_URI, options) };
    },
  });
}

function keepConnecting(connection: Connection, uri: string, options: ConnectOptions): Connection {
  const attempt = (): void => {
    connection.asPromise().catch((error: unknown) => {
      logger.warn({ err: error }, `MongoDB is not reachable (${error instanceof Error ? error.message : String(error)}); trying again in ${RETRY_MS / 1000} s`);
      setTimeout(() => {
        connection.openUri(uri, options).catch(() => undefined); // the next asPromise() reports it
        attempt();
      }, RETRY_MS).unref();
    });
  };
  attempt();
  return connection;
}

/** Resolves once the app's database connection is open (at once for apps without one). */
export async function waitForDatabase(app: INestApplication): Promise<void> {
  let connection: Connection;
  try {
    connection = app.get<Connection>(getConnectionToken(), { strict: false });
  } catch {
    return;
  }
  while (connection.readyState !== mongoose.ConnectionStates.connected) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
