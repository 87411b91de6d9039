/** What a reader needs to compare numbers across machines: hardware and versions. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { install } from '@shop/stack';
import { BenchResults } from './results';

export function machineInfo(): BenchResults['machine'] {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpus: os.availableParallelism(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? os.cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
  };
}

export async function versions(): Promise<Record<string, string>> {
  const installed = await install({ quiet: true });
  const db = installed.database;
  // The stack names its FerretDB build after the pinned version (ferretdb-1.24.2).
  const dbVersion = /-(\d[\w.-]*)$/.exec(path.basename(db.bin))?.[1] ?? 'unknown';
  return {
    node: process.version,
    kafka: installed.kafkaVersion,
    [db.kind]: dbVersion,
    '@nestjs/core': packageVersion('@nestjs/core'),
    '@nestjs/microservices': packageVersion('@nestjs/microservices'),
    kafkajs: packageVersion('kafkajs'),
    autocannon: packageVersion('autocannon'),
  };
}

function packageVersion(name: string): string {
  try {
    const file = require.resolve(`${name}/package.json`, { paths: [process.cwd(), __dirname] });
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
