import { DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import { ServiceConfig } from './config/app.config';

// Defence in depth: the pipes already refuse operator keys; a filter built from input
// still treats `{ $gt: '' }` as a value, never as an operator.
mongoose.set('sanitizeFilter', true);
mongoose.set('strictQuery', true);

/** The service's own database on MONGO_URI; fails fast when the server is away. */
export function databaseModule(defaultDbName: string): DynamicModule {
  return MongooseModule.forRootAsync({
    inject: [ServiceConfig],
    useFactory: (config: ServiceConfig) => ({
      uri: config.MONGO_URI,
      dbName: config.MONGO_DB ?? defaultDbName,
      serverSelectionTimeoutMS: 3000,
      maxPoolSize: 20,
      retryWrites: false,
    }),
  });
}
