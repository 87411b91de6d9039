import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsMongoId, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageRequest } from '../common/page.request';

export class ListProductsRequest extends PageRequest {
  @ApiPropertyOptional({ example: 'keyboard', description: 'Case-insensitive part of the name' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(200)
  name?: string;
}

/** product.get-many: the order saga's one read of every product it needs. */
export class GetProductsRequest {
  @IsMongoId({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  ids!: string[];
}
