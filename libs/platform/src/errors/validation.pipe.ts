import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from '@shop/contracts';
import { ShopError } from './shop.error';

/** Turns class-validator's tree into one entry per bad field, named by its path. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own: FieldError[] = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** Paths of keys that MongoDB would read as operators (`$gt`) or paths (`a.b`). */
export function findOperatorKeys(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findOperatorKeys(v, path ? `${path}.${i}` : String(i)));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    const bad = key.startsWith('$') || key.includes('.') ? [here] : [];
    return [...bad, ...findOperatorKeys(child, here)];
  });
}

/**
 * Validation for HTTP input and Kafka payloads alike: unknown fields and operator
 * objects are refused, and every failure is a 400 VALIDATION_FAILED naming each field.
 */
@Injectable()
export class ShopValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: false,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => ShopError.validation(flattenValidationErrors(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const operatorKeys = findOperatorKeys(value);
    if (operatorKeys.length > 0) {
      throw ShopError.validation(
        operatorKeys.map((field) => ({ field, errors: [`${field} is not allowed: keys may not start with $ or contain a dot`] })),
      );
    }
    const { metatype } = metadata;
    if (metatype && !isPrimitiveType(metatype) && !isPlainObject(value)) {
      // A JSON array, scalar or nothing where an object is expected is bad input, not a crash.
      throw ShopError.validation([{ field: metadata.data ?? metadata.type, errors: ['must be a JSON object'] }]);
    }
    return super.transform(value, metadata);
  }
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPrimitiveType(type: unknown): boolean {
  return type === String || type === Number || type === Boolean || type === Array || type === Object;
}
