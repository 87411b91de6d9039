import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiProperty, OpenAPIObject } from '@nestjs/swagger';
import { IsUrl } from 'class-validator';
import { committedDocument, offlineDocument, renderDocument } from './openapi.file';
import { deriveSchemasFromValidators } from './openapi';

type Schema = Record<string, any>;

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;
  const schema = (name: string): Schema => document.components!.schemas![name] as Schema;
  const parameters = (path: string, method: 'get') => (document.paths[path][method]!.parameters ?? []) as Schema[];

  it('is docs/openapi.json, as committed (npm run docs:openapi writes it)', async () => {
    document = await offlineDocument();
    assert.ok(renderDocument(document) === committedDocument(), 'docs/openapi.json is stale: run npm run docs:openapi and commit it with the client it generates');
  });

  it('takes types, bounds, sizes, patterns and required from the validators', () => {
    const order = schema('CreateOrderRequest');
    assert.deepEqual(order.required, ['items']);
    assert.equal(order.properties.userId.pattern, '^[0-9a-fA-F]{24}$');
    assert.deepEqual([order.properties.items.minItems, order.properties.items.maxItems], [1, 50]);
    assert.deepEqual(schema('OrderItemRequest').properties.quantity, { type: 'integer', example: 1, minimum: 1, maximum: 1000 });
    const name = schema('CreateProductRequest').properties.name;
    assert.deepEqual([name.minLength, name.maxLength, typeof name.pattern], [1, 200, 'string']);
    assert.equal(schema('CreateUserRequest').properties.role.enum.join(), 'customer,admin');
    assert.equal(schema('UpdateProductRequest').required, undefined, 'every field of a PATCH may be left out');
    const [limit, offset] = parameters('/api/products', 'get');
    assert.deepEqual([limit.schema.type, limit.schema.minimum, limit.schema.maximum, limit.required], ['integer', 1, 100, false]);
    assert.deepEqual([offset.schema.type, offset.schema.minimum, offset.schema.maximum], ['integer', 0, 1_000_000_000]);
    assert.equal(parameters('/api/products/{id}', 'get')[0].schema.pattern, '^[0-9a-fA-F]{24}$');
  });

  it('closes every object: the server refuses fields it does not know', () => {
    const open = Object.entries(document.components!.schemas!).filter(([, s]) => 'properties' in s && (s as Schema).additionalProperties !== false);
    assert.deepEqual(open.map(([n]) => n), []);
  });

  it('types details as what it is: the bad fields of a 400, or an object of facts', () => {
    assert.deepEqual(schema('ErrorResponse').properties.details.oneOf, [{ type: 'array', items: { $ref: '#/components/schemas/FieldErrorResponse' } }, { type: 'object' }]);
  });

  it('declares on every operation the errors every route can answer', () => {
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods as Record<string, { responses: Record<string, unknown> }>)) {
        for (const status of ['400', '413', '429']) assert.ok(operation.responses[status], `${method.toUpperCase()} ${path} declares ${status}`);
      }
    }
  });

  // Last: the class stays in class-validator's storage, and would stop any later derivation.
  it('stops at boot on a validator it has no schema for, rather than say less than the server checks', () => {
    class Link {
      @ApiProperty()
      @IsUrl()
      href!: string;
    }
    assert.throws(() => deriveSchemasFromValidators(), /No schema for @isUrl on Link\.href/);
  });
});
