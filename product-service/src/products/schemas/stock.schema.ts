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

  /** Units the last movement moved: what a crashed, unrecorded reserve took. */
  @Prop()
  lastQuantity?: number;
}

export const StockSchema = SchemaFactory.createForClass(Stock);

/**
 * One applied stock movement, `_id` = its natural key (`reserve:<orderId>:<productId>`,
 * `release:<orderId>:<productId>`, `adjust:<movementId>`). Only ever inserted: a second
 * copy cannot exist, which is what makes a redelivered or retried movement change nothing.
 */
@Schema({ collection: 'stock_movements', versionKey: false, timestamps: { createdAt: true, updatedAt: false } })
export class StockMovement {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  productId!: string;

  @Prop({ required: true, enum: ['reserve', 'release', 'adjust'] })
  kind!: 'reserve' | 'release' | 'adjust';

  @Prop()
  orderId?: string;

  /** Units reserved or released (0: a release with nothing to release), or the adjustment. */
  @Prop({ required: true })
  quantity!: number;
}

export const StockMovementSchema = SchemaFactory.createForClass(StockMovement);
