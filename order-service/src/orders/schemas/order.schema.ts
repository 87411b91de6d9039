import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { ORDER_STATUSES, OrderStatus } from '@shop/contracts';
import { Schema as MongooseSchema, Types } from 'mongoose';

export interface OrderLine {
  productId: string;
  quantity: number;
  name?: string;
  unitPriceCents?: number;
}

/** `_id` is chosen by the gateway (from the Idempotency-Key when there is one). */
@Schema({ collection: 'orders', timestamps: true, versionKey: false })
export class Order {
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true })
  _id!: Types.ObjectId;

  @Prop({ required: true, index: true })
  userId!: string;

  @Prop({ required: true, enum: ORDER_STATUSES, index: true })
  status!: OrderStatus;

  @Prop({ type: [Object], required: true })
  items!: OrderLine[];

  @Prop({ required: true, default: 0 })
  totalCents!: number;

  @Prop({ type: Object })
  rejection?: { statusCode: number; code: string; message: string; details?: unknown };

  /** Hash of the request: a reused Idempotency-Key with another body is refused. */
  @Prop({ required: true })
  fingerprint!: string;

  /** Set once order.cancelled is published; a cancel retried before that publishes again. */
  @Prop()
  cancelEventId?: string;

  createdAt!: Date;
  updatedAt!: Date;
}

export const OrderSchema = SchemaFactory.createForClass(Order);
OrderSchema.index({ userId: 1, createdAt: 1 });
