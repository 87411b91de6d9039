import { Module } from '@nestjs/common';
import { ProductView } from './product-view';
import { ProductsController } from './products.controller';

@Module({ controllers: [ProductsController], providers: [ProductView] })
export class ProductsModule {}
