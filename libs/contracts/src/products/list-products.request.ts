import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsMongoId, IsString, MaxLength } from 'class-validator';
import { PageRequest } from '../common/page.request';
import { IsOmittable } from '../common/omittable';

export class ListProductsRequest extends PageRequest {
  @ApiPropertyOptional({ example: 'keyboard', description: 'Case-insensitive part of the name, spaces included' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  name?: string;
}

/** product.get-many: prices an order's lines when the reservations did not (a product-service older than 2026-12-02, mid-upgrade). */
export class GetProductsRequest {
  @IsMongoId({ each: true })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  ids!: string[];
}
