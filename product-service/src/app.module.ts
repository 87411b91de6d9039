import { Module } from '@nestjs/common';
import { PATTERNS } from '@shop/contracts';
import { databaseModule, pingController, PlatformModule, RpcModule, ServiceConfig } from '@shop/platform';
import { ProductsModule } from './products/products.module';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'product-service', config: ServiceConfig, defaults: { PORT: 3002 } }),
    databaseModule('products'),
    RpcModule.forRoot({ sends: [] }),
    ProductsModule,
  ],
  controllers: [pingController(PATTERNS.PRODUCT_PING)],
})
export class AppModule {}
