/**
 * @shop/stack: runs the system natively (no Docker): Kafka from the Apache jars,
 * mongod or FerretDB, and the four apps as Node processes.
 */
export { startInfra, type Infra, type InfraOptions, type KafkaNode } from './infra';
export { startApp, APPS, DEV_PORTS, clusterEnv, devAccounts, type AppName, type AppProcess, type StartAppOptions } from './apps';
export { freePort } from './ports';
export { waitUntil } from './processes';
export { install, type Installed } from './install';
export { type Database } from './database';
export { installSchemathesis, chromiumOrWhy, CHROMIUM } from './test-tools';
export { startZipkin, startObservability, installZipkin, type Zipkin } from './observability';
