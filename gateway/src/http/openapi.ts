import { INestApplication } from '@nestjs/common';
import { ApiProperty, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponse } from '@shop/contracts';
import { getMetadataStorage, ValidationTypes } from 'class-validator';

/** What one class-validator decorator says, as JSON Schema keywords. */
type Keywords = Record<string, unknown>;

const MONGO_ID = '^[0-9a-fA-F]{24}$';

/**
 * The schema keywords of every validator the contracts use. A validator missing here
 * stops the gateway at boot: the document must never accept less than it says.
 */
const KEYWORDS: Record<string, (constraints: unknown[]) => Keywords> = {
  isInt: () => ({ type: 'integer' }),
  isString: () => ({ type: 'string' }),
  isBoolean: () => ({ type: 'boolean' }),
  isMongoId: () => ({ type: 'string', pattern: MONGO_ID }),
  isUuid: () => ({ type: 'string', format: 'uuid' }),
  isEmail: () => ({ type: 'string', format: 'email' }),
  isIn: ([values]) => ({ enum: values }),
  matches: ([pattern]) => ({ type: 'string', pattern: sourceOf(pattern) }),
  min: ([n]) => ({ minimum: n }),
  max: ([n]) => ({ maximum: n }),
  isLength: ([min, max]) => ({ minLength: min, ...(max === undefined ? {} : { maxLength: max }) }),
  minLength: ([n]) => ({ minLength: n }),
  maxLength: ([n]) => ({ maxLength: n }),
  arrayMinSize: ([n]) => ({ minItems: n }),
  arrayMaxSize: ([n]) => ({ maxItems: n }),
};

/** Decorators that say nothing a schema could: nested objects are typed by `@ApiProperty`. */
const SILENT = new Set<string>([ValidationTypes.NESTED_VALIDATION, ValidationTypes.WHITELIST]);

/**
 * The Swagger metadata of every validated class, derived from its class-validator
 * decorators: types (integer, not number), bounds, patterns, sizes, enums, and
 * `required` from `@IsOmittable` (or `@IsOptional`). Written once, in the decorators the server enforces;
 * `@ApiProperty` keeps only descriptions and examples. Idempotent.
 */
export function deriveSchemasFromValidators(): void {
  const storage = getMetadataStorage();
  // class-validator keeps its targets private; every decorated class is a key of this map.
  const targets = [...(storage as unknown as { validationMetadatas: Map<Function, unknown> }).validationMetadatas.keys()];
  for (const target of targets) {
    const byProperty = new Map<string, { keywords: Keywords; required: boolean }>();
    for (const meta of storage.getTargetValidationMetadatas(target, '', true, false)) {
      const property = byProperty.get(meta.propertyName) ?? { keywords: {}, required: true };
      byProperty.set(meta.propertyName, property);
      if (meta.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        property.required = false; // @IsOptional, @ValidateIf
        continue;
      }
      if (SILENT.has(meta.type)) continue;
      const name = meta.name ?? meta.type;
      const keywords = KEYWORDS[name];
      if (!keywords) {
        throw new Error(`No schema for @${name} on ${target.name}.${meta.propertyName}: add it to KEYWORDS in ${__filename}`);
      }
      const derived = keywords(meta.constraints ?? []);
      if (meta.each) property.keywords.items = { ...(property.keywords.items as Keywords), ...derived };
      else Object.assign(property.keywords, derived);
    }
    for (const [name, { keywords, required }] of byProperty) {
      ApiProperty({ ...keywords, required })(target.prototype, name);
    }
  }
}

/**
 * The OpenAPI document: schemas derived from the validators, and every object closed
 * (`additionalProperties: false`), as the validation pipe refuses unknown fields.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  deriveSchemasFromValidators();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Shop RPC gateway')
      .setDescription(
        'Every call becomes a Kafka message to a service. Errors share one body: ' +
          '`{ statusCode, code, message, details?, requestId }`. Send `X-Request-Id` to follow a call through the logs. ' +
          'Log in with POST /api/auth/login and put the token in **Authorize**; product reads, register and login need none.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'The accessToken from POST /api/auth/login' })
      .build(),
    { extraModels: [ErrorResponse] },
  );
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    if ('properties' in schema && schema.properties) schema.additionalProperties = false;
  }
  return document;
}

function sourceOf(pattern: unknown): string {
  if (typeof pattern === 'string') return pattern;
  if (pattern instanceof RegExp && pattern.flags === '') return pattern.source;
  throw new Error(`A pattern in an OpenAPI schema cannot carry flags: ${String(pattern)}`);
}
