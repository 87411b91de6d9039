import { DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import mongoose from 'mongoose';
import { ServiceConfig } from './config/app.config';

// Operator keys in input are refused by ShopValidationPipe before any query is built;
// filters are then only written in code (sanitizeFilter would also defuse our own $gte).
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
