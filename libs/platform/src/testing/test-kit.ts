import { getMetadataStorage } from 'class-validator';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { AnyRpcContract, EventContract, RpcContract } from '@shop/contracts';
import mongoose, { Connection } from 'mongoose';
import type { EventPublisher } from '../kafka/event-publisher';
import type { RpcClient } from '../kafka/rpc-client';
import { ShopError } from '../errors/shop.error';

/** Helpers for the tests beside the code (unit and medium); the apps never call them. */

/** The ShopError that `promise` rejects with; fails the test if it resolves or rejects otherwise. */
export async function shopErrorOf(promise: Promise<unknown>): Promise<ShopError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ShopError, `expected a ShopError, got ${String(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

/**
 * For medium tests (`*.medium.ts`, run by `npm run test:medium`): a database of the
 * test's own on the real server at MONGO_URI, dropped again by `close()`. Nest's logger
 * is quiet meanwhile (the services log the failures the tests cause on purpose).
 */
export async function testDatabase(name: string): Promise<{ connection: Connection; close(): Promise<void> }> {
  const uri = process.env.MONGO_URI;
  if (!uri) throw new Error('MONGO_URI is not set: run medium tests with `npm run test:medium`');
  const dbName = `medium_${name}_${process.pid}_${Date.now().toString(36)}`;
  const connection = await mongoose.createConnection(uri, { dbName, retryWrites: false, serverSelectionTimeoutMS: 5000 }).asPromise();
  Logger.overrideLogger(false);
  return {
    connection,
    close: async () => {
      Logger.overrideLogger(true);
      await connection.dropDatabase();
      await connection.close();
    },
  };
}

/**
 * Polls `check` until it holds; fails naming `what` after `timeoutMs`. For what a test's
 * fakes or timers bring about on their own. (The e2e tests' `waitUntil` lives in
 * `@shop/stack`, which the services do not depend on.)
 */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a fake Kafka saw: each message with the key its contract derives. */
export interface Sent {
  topic: string;
  key: string | null;
  value: unknown;
  mustApply?: boolean;
}

/**
 * Stands in for the Kafka edge of a service under test: records what is published and
 * commanded, and answers `send` with `answer` (which may throw a ShopError as a service would).
 */
export function fakeKafka(answer: (contract: AnyRpcContract, request: unknown) => unknown = () => undefined) {
  const published: Sent[] = [];
  const commanded: Sent[] = [];
  const sent: Sent[] = [];
  /** Changelog records, in the order they were written. */
  const states: Sent[] = [];
  const events = {
    publish: async <P>(event: EventContract<P>, payload: P) => void published.push({ topic: event.topic, key: event.key.of(payload), value: payload }),
    writeState: async (topic: string, key: string, state: object | null) => void states.push({ topic, key, value: state }),
  } as unknown as EventPublisher;
  const rpc = {
    send: async <Req, Res>(contract: RpcContract<Req, Res>, request: Req, options: { mustApply?: boolean } = {}) => {
      sent.push({ topic: contract.pattern, key: contract.key?.of(request) ?? null, value: request, ...(options.mustApply && { mustApply: true }) });
      return answer(contract as AnyRpcContract, request) as Res;
    },
    command: async <Req>(contract: RpcContract<Req, unknown>, request: Req) => void commanded.push({ topic: contract.pattern, key: contract.key?.of(request) ?? null, value: request }),
  } as unknown as RpcClient;
  return { events, rpc, published, commanded, sent, states };
}

/** The environment variables a config class reads: its validated properties. */
export function configVariables(config: new () => object): string[] {
  const variables = [...new Set(getMetadataStorage().getTargetValidationMetadatas(config, '', true, false).map((m) => m.propertyName))];
  if (variables.length === 0) throw new Error(`${config.name} has no validated variables: is reflect-metadata loaded?`);
  return variables;
}

/** A file at the repository's root (README.md, .env.example), as text. */
export function repositoryFile(file: string): string {
  return readFileSync(resolve(__dirname, '../../../..', file), 'utf8');
}

/** The variables a config class reads that `file` (README.md, .env.example) does not name. */
export function undocumentedVariables(config: new () => object, file: string): string[] {
  const text = repositoryFile(file);
  return configVariables(config).filter((name) => !text.includes(name));
}
