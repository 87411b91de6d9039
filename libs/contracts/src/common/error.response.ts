import { EXAMPLE_IDS } from '../examples';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The HTTP error body; documented once for Swagger. */
export class ErrorResponse {
  @ApiProperty({ example: 404 })
  statusCode!: number;

  @ApiProperty({ example: 'USER_NOT_FOUND', description: 'UPPER_SNAKE error code' })
  code!: string;

  @ApiProperty({ example: `User ${EXAMPLE_IDS.user} does not exist` })
  message!: string;

  @ApiPropertyOptional({ description: 'Extra facts, e.g. the fields that failed validation' })
  details?: unknown;

  @ApiProperty({ example: '0b6a4c1e-2f0e-4f7e-9d4c-2a7e1f0c9b11' })
  requestId!: string;
}
