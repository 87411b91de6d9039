import { Module } from '@nestjs/common';
import { PATTERNS_BY_SERVICE } from '@shop/contracts';
import { AppConfig, PlatformModule, RpcModule } from '@shop/platform';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { StatusModule } from './status/status.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'gateway', config: AppConfig, defaults: { PORT: 3000 } }),
    RpcModule.forRoot({ sends: Object.values(PATTERNS_BY_SERVICE).flat() }),
    UsersModule,
    ProductsModule,
    OrdersModule,
    StatusModule,
  ],
})
export class AppModule {}
