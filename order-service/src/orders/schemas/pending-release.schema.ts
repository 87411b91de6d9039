import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A stock release of a rejected order that product-service has not confirmed yet: written
 * before the saga's order is decided, struck off once a release is answered. `_id` is
 * `<orderId>:<productId>`, so the same release is written down once.
 */
@Schema({ collection: 'pending_releases', timestamps: true, versionKey: false })
export class PendingRelease {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ required: true })
  orderId!: string;

  @Prop({ required: true })
  productId!: string;
}

export const PendingReleaseSchema = SchemaFactory.createForClass(PendingRelease);
