import { EXAMPLE_IDS } from '../examples';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageOf } from '../common/page.response';

export class ProductResponse {
  @ApiProperty({ example: EXAMPLE_IDS.product })
  id!: string;

  @ApiProperty({ example: 'Mechanical keyboard' })
  name!: string;

  @ApiPropertyOptional({ example: 'Tenkeyless, brown switches' })
  description?: string;

  @ApiProperty({ type: 'integer', example: 8999 })
  priceCents!: number;

  @ApiProperty({ type: 'integer', example: 60, description: 'Units in stock now' })
  stock!: number;

  @ApiProperty({ type: 'integer', example: 5 })
  lowStockThreshold!: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updatedAt!: string;
}

export class ProductPage extends PageOf(ProductResponse) {}

/** Value of product.created (key: product id). */
export type ProductCreatedEvent = ProductResponse;

/** Value of product.stock-low (key: product id). */
export interface ProductStockLowEvent {
  productId: string;
  stock: number;
  lowStockThreshold: number;
}
