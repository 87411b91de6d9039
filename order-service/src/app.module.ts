import { Module } from '@nestjs/common';
import { PATTERNS } from '@shop/contracts';
import { databaseModule, pingController, PlatformModule, RpcModule, ServiceConfig } from '@shop/platform';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'order-service', config: ServiceConfig, defaults: { PORT: 3003 } }),
    databaseModule('orders'),
    RpcModule.forRoot({ sends: [PATTERNS.USER_GET, PATTERNS.PRODUCT_GET_MANY, PATTERNS.PRODUCT_STOCK] }),
    OrdersModule,
  ],
  controllers: [pingController(PATTERNS.ORDER_PING)],
})
export class AppModule {}
