import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema, Types } from 'mongoose';

/**
 * One product's stock, `_id` = the product's id, apart from the catalog document.
 * Written only by the consumer of the product's partition of product.stock, one
 * movement at a time; `lastMovement` is set in the same write as every change, so after
 * a crash the redelivered movement can tell whether its change already happened.
 */
@Schema({ collection: 'stocks', versionKey: false })
export class Stock {
  @Prop({ type: MongooseSchema.Types.ObjectId, required: true })
  _id!: Types.ObjectId;

  @Prop({ required: true, min: 0 })
  stock!: number;

  /** Units at creation; with `restocked` and `writtenOff`, what the stock must add up to. */
  @Prop({ required: true })
  initial!: number;

  @Prop({ required: true, default: 0 })
  restocked!: number;

  @Prop({ required: true, default: 0 })
  writtenOff!: number;

  @Prop()
  lastMovement?: string;
}

export const StockSchema = SchemaFactory.createForClass(Stock);

export const MOVEMENT_STATES = ['pending', 'applied', 'refused', 'released'] as const;
export type MovementState = (typeof MOVEMENT_STATES)[number];

/**
 * One stock movement, `_id` = its natural key (`reserve:<orderId>:<productId>`,
 * `adjust:<movementId>`): inserting it twice is impossible, which is what makes a
 * redelivered or retried movement change nothing.
 */
@Schema({ collection: 'stock_movements', versionKey: false, timestamps: true })
export class StockMovement {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true, index: true })
  productId!: string;

  @Prop({ required: true, enum: ['reserve', 'adjust'] })
  kind!: 'reserve' | 'adjust';

  @Prop()
  orderId?: string;

  /** Units reserved, or the adjustment (negative for a write-off). */
  @Prop({ required: true })
  quantity!: number;

  @Prop({ required: true, enum: MOVEMENT_STATES })
  state!: MovementState;
}

export const StockMovementSchema = SchemaFactory.createForClass(StockMovement);
