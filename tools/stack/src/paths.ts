import * as path from 'node:path';

/** Repository root: this file runs from tools/stack/dist. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** All native-stack state lives under <repo>/.stack (git-ignored). */
export const STACK_DIR = path.join(REPO_ROOT, '.stack');

/** Downloaded Kafka jars and the built FerretDB binary; `reset` keeps this. */
export const CACHE_DIR = path.join(STACK_DIR, 'cache');

/** Kafka log dirs and database files of one named stack (dev, test, ...). */
export function dataDirOf(stackName: string): string {
  return path.join(STACK_DIR, 'data', stackName);
}

/** One log file per process of one named stack. */
export function logDirOf(stackName: string): string {
  return path.join(STACK_DIR, 'logs', stackName);
}
