import { EXAMPLE_IDS } from '../examples';
import { ApiProperty } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';

/** A message (or route) that names one entity by its ObjectId. */
export class IdRequest {
  @ApiProperty({ description: 'MongoDB ObjectId as 24 hex characters', example: EXAMPLE_IDS.user })
  @IsMongoId({ message: 'id must be a MongoDB ObjectId (24 hex characters)' })
  id!: string;
}
