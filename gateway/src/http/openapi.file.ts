import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { OpenAPIObject } from '@nestjs/swagger';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { createOpenApiDocument } from './openapi';

/** The committed contract: what /docs-json serves, for review in diffs and for client generators. */
export const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

/**
 * The document /docs-json serves, built without Kafka or a port: Nest's preview mode
 * reads the modules and controllers without creating a provider.
 */
export async function offlineDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), { preview: true, logger: false, abortOnError: false });
  try {
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}

export function renderDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

export function committedDocument(): string {
  return readFileSync(OPENAPI_FILE, 'utf8');
}

/** `npm run docs:openapi` (with the client generated from it): rewrites docs/openapi.json. */
if (require.main === module) {
  offlineDocument()
    .then((document) => {
      writeFileSync(OPENAPI_FILE, renderDocument(document));
      console.log(`wrote ${OPENAPI_FILE}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
