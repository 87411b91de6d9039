import { Module } from '@nestjs/common';
import { databaseModule, PlatformModule, ServiceConfig } from '@shop/platform';
import { OrdersModule } from './orders/orders.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'order-service', config: ServiceConfig, defaults: { PORT: 3003 } }), databaseModule('orders'), OrdersModule],
})
export class AppModule {}
