import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsMongoId, IsOptional } from 'class-validator';
import { PageRequest } from '../common/page.request';

export class ListOrdersRequest extends PageRequest {
  @ApiPropertyOptional({ example: '6650f0c2a1b2c3d4e5f60718', description: 'Only this user’s orders' })
  @IsOptional()
  @IsMongoId({ message: 'userId must be a MongoDB ObjectId (24 hex characters)' })
  userId?: string;
}
