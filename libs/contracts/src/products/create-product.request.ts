import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { NO_NUL, TRIMMED } from '../common/text';
import { IsInt, IsMongoId, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsOmittable, OMITTABLE } from '../common/omittable';

export const MAX_STOCK = 1_000_000_000;
export const DEFAULT_LOW_STOCK_THRESHOLD = 5;

export class CreateProductRequest {
  @ApiProperty({ example: 'Mechanical keyboard', description: 'Not blank; no whitespace at either end; no NUL character (U+0000)' })
  @IsString()
  @Length(1, 200)
  @Matches(TRIMMED, { message: 'name must not start or end with whitespace, nor contain the NUL character (U+0000)' })
  name!: string;

  @ApiPropertyOptional({ example: 'Tenkeyless, brown switches', description: 'Any text without the NUL character (U+0000)' })
  @IsOmittable()
  @IsString()
  @MaxLength(2000)
  @Matches(NO_NUL, { message: 'description must not contain the NUL character (U+0000)' })
  description?: string;

  @ApiProperty({ example: 8999, description: 'Price in cents (integer minor units)' })
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  priceCents!: number;

  @ApiProperty({ example: 60, description: 'Units in stock at creation' })
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  stock!: number;

  @ApiPropertyOptional({ example: 5, default: DEFAULT_LOW_STOCK_THRESHOLD, description: 'product.stock-low is emitted when stock falls below this' })
  @IsOmittable()
  @IsInt()
  @Min(0)
  @Max(MAX_STOCK)
  lowStockThreshold?: number;
}

/** PATCH body: catalog fields only; stock moves through POST /api/products/{id}/stock. */
export class UpdateProductRequest extends PartialType(OmitType(CreateProductRequest, ['stock'] as const), OMITTABLE) {}

export class UpdateProductMessage extends UpdateProductRequest {
  @IsMongoId()
  id!: string;
}

export class AdjustStockRequest {
  @ApiProperty({ example: 10, description: 'Units to add (restock) or, when negative, to write off. Never below zero.' })
  @IsInt()
  @Min(-MAX_STOCK)
  @Max(MAX_STOCK)
  delta!: number;
}
