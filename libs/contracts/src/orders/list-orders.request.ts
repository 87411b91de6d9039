import { EXAMPLE_IDS } from '../examples';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';
import { PageRequest } from '../common/page.request';
import { IsOmittable } from '../common/omittable';

export class ListOrdersRequest extends PageRequest {
  @ApiPropertyOptional({ example: EXAMPLE_IDS.user, description: 'Only this user’s orders' })
  @IsOmittable()
  @IsMongoId({ message: 'userId must be a MongoDB ObjectId (24 hex characters)' })
  userId?: string;
}
