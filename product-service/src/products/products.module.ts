import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Product, ProductSchema } from './schemas/product.schema';
import { Stock, StockMovement, StockMovementSchema, StockSchema } from './schemas/stock.schema';
import { ProductsController } from './products.controller';
import { ProductCache } from './product.cache';
import { ProductViewWriter } from './product-view.writer';
import { ProductsService } from './products.service';
import { StockController } from './stock.controller';
import { StockService } from './stock.service';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Product.name, schema: ProductSchema },
      { name: Stock.name, schema: StockSchema },
      { name: StockMovement.name, schema: StockMovementSchema },
    ]),
  ],
  controllers: [ProductsController, StockController],
  providers: [ProductsService, StockService, ProductCache, ProductViewWriter],
})
export class ProductsModule {}
