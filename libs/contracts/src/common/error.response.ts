import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { EXAMPLE_IDS } from '../examples';
import type { FieldError } from '../errors';

/** One field that failed validation, as `details` of a 400 VALIDATION_FAILED lists it. */
export class FieldErrorResponse implements FieldError {
  @ApiProperty({ example: 'items.0.quantity', description: 'The path of the field in the request' })
  field!: string;

  @ApiProperty({ example: ['quantity must not be less than 1'] })
  errors!: string[];
}

/** The HTTP error body; documented once for Swagger. */
@ApiExtraModels(FieldErrorResponse)
export class ErrorResponse {
  @ApiProperty({ type: 'integer', example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'USER_NOT_FOUND', description: 'UPPER_SNAKE error code' })
  code!: string;

  @ApiProperty({ example: `User ${EXAMPLE_IDS.user} does not exist` })
  message!: string;

  @ApiPropertyOptional({
    description: 'VALIDATION_FAILED: each bad field. INSUFFICIENT_STOCK: which products are short, with requested and available.',
    oneOf: [{ type: 'array', items: { $ref: getSchemaPath(FieldErrorResponse) } }, { type: 'object' }],
  })
  details?: FieldError[] | Record<string, unknown>;

  @ApiProperty({ example: '0b6a4c1e-2f0e-4f7e-9d4c-2a7e1f0c9b11' })
  requestId!: string;
}
