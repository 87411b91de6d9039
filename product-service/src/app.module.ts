import { Module } from '@nestjs/common';
import { databaseModule, PlatformModule, ServiceConfig } from '@shop/platform';
import { ProductsModule } from './products/products.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'product-service', config: ServiceConfig, defaults: { PORT: 3002 } }), databaseModule('products'), ProductsModule],
})
export class AppModule {}
