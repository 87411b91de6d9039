import { EXAMPLE_IDS } from '../examples';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsBoolean, IsInt, IsMongoId, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { IsOmittable } from '../common/omittable';

export class OrderItemRequest {
  @ApiProperty({ example: EXAMPLE_IDS.product })
  @IsMongoId({ message: 'productId must be a MongoDB ObjectId (24 hex characters)' })
  productId!: string;

  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(1000)
  quantity!: number;
}

export class CreateOrderRequest {
  @ApiPropertyOptional({ example: EXAMPLE_IDS.user, description: 'Whose order it is; the caller when omitted. A customer may name only itself.' })
  @IsOmittable()
  @IsMongoId({ message: 'userId must be a MongoDB ObjectId (24 hex characters)' })
  userId?: string;

  @ApiProperty({ type: [OrderItemRequest], description: 'At least one item; each product at most once' })
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => OrderItemRequest)
  items!: OrderItemRequest[];
}

/** order.create: the order's id is chosen by the gateway, so a retry names the same order; the user is always named. */
export class PlaceOrderMessage extends CreateOrderRequest {
  @IsMongoId({ message: 'userId must be a MongoDB ObjectId (24 hex characters)' })
  declare userId: string;

  @IsMongoId()
  orderId!: string;

  /** Hash of the request, to tell a retry from a reuse of an Idempotency-Key for another order. */
  @IsString()
  @MaxLength(128)
  fingerprint!: string;

  @IsOmittable()
  @IsBoolean()
  async?: boolean;
}
