import { Module } from '@nestjs/common';
import { AppConfig, PlatformModule } from '@shop/platform';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { StatusModule } from './status/status.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'gateway', config: AppConfig, defaults: { PORT: 3000 } }), UsersModule, ProductsModule, OrdersModule, StatusModule],
})
export class AppModule {}
