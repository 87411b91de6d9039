import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { DEFAULT_LOW_STOCK_THRESHOLD } from '@shop/contracts';
import { HydratedDocument } from 'mongoose';

/** The catalog entry. Stock lives apart (Stock), so a catalog edit never rewrites it. */
@Schema({ collection: 'products', timestamps: true, versionKey: false })
export class Product {
  @Prop({ required: true, trim: true })
  name!: string;

  @Prop()
  description?: string;

  @Prop({ required: true })
  priceCents!: number;

  @Prop({ required: true, default: DEFAULT_LOW_STOCK_THRESHOLD })
  lowStockThreshold!: number;

  createdAt!: Date;
  updatedAt!: Date;
}

export type ProductDocument = HydratedDocument<Product>;
export const ProductSchema = SchemaFactory.createForClass(Product);
