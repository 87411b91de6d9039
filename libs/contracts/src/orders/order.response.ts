import { EXAMPLE_IDS } from '../examples';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsMongoId, IsString, Min, ValidateNested } from 'class-validator';
import { PageOf } from '../common/page.response';

export const ORDER_STATUSES = ['pending', 'confirmed', 'rejected', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export class OrderLineResponse {
  @ApiProperty({ example: EXAMPLE_IDS.product })
  productId!: string;

  @ApiProperty({ example: 'Mechanical keyboard' })
  name!: string;

  @ApiProperty({ type: 'integer', example: 2 })
  quantity!: number;

  @ApiProperty({ type: 'integer', example: 8999, description: 'Price per unit when the order was confirmed' })
  unitPriceCents!: number;

  @ApiProperty({ type: 'integer', example: 17998 })
  lineTotalCents!: number;
}

export class OrderRejection {
  @ApiProperty({ example: 'INSUFFICIENT_STOCK' })
  code!: string;

  @ApiProperty({ example: 'Not enough stock for 1 product' })
  message!: string;

  @ApiPropertyOptional()
  details?: unknown;
}

export class OrderResponse {
  @ApiProperty({ example: EXAMPLE_IDS.order })
  id!: string;

  @ApiProperty({ example: EXAMPLE_IDS.user })
  userId!: string;

  @ApiProperty({ enum: ORDER_STATUSES, example: 'confirmed' })
  status!: OrderStatus;

  @ApiProperty({ type: [OrderLineResponse], description: 'Priced lines; quantities only while pending or when rejected' })
  items!: OrderLineResponse[];

  @ApiProperty({ type: 'integer', example: 17998 })
  totalCents!: number;

  @ApiPropertyOptional({ type: OrderRejection, description: 'Why the order was rejected' })
  rejection?: OrderRejection;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updatedAt!: string;
}

export class OrderPage extends PageOf(OrderResponse) {}

export class OrderAcceptedResponse {
  @ApiProperty({ example: EXAMPLE_IDS.order })
  id!: string;

  @ApiProperty({ example: 'pending', enum: ['pending'] })
  status!: 'pending';
}

/** Value of order.created (key: order id). */
export type OrderCreatedEvent = OrderResponse;

export class CancelledItem {
  @IsMongoId()
  productId!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

/** Value of order.cancelled (key: order id): what product-service needs to put stock back. */
export class OrderCancelledEvent {
  @IsMongoId()
  orderId!: string;

  @IsMongoId()
  userId!: string;

  @ValidateNested({ each: true })
  @Type(() => CancelledItem)
  items!: CancelledItem[];

  @IsString()
  cancelledAt!: string;

  @IsString()
  reason!: string;
}
