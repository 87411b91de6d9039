import { ValidateIf, ValidationOptions } from 'class-validator';

/**
 * The field may be left out; when it is sent, it is checked like any other. Unlike
 * `@IsOptional`, `null` is not "left out": it would pass every check and reach the
 * database. The OpenAPI document reads this as "not required".
 */
export function IsOmittable(options?: ValidationOptions): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined, options);
}

/** `PartialType` options that make every field omittable the same way (never null). */
export const OMITTABLE = { skipNullProperties: false } as const;
