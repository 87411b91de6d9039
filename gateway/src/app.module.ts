import { Module } from '@nestjs/common';
import { PlatformModule } from '@shop/platform';
import { AuthModule } from './auth/auth.module';
import { GatewayConfig } from './config';
import { AdmissionModule } from './http/admission';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { StatusModule } from './status/status.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'gateway', config: GatewayConfig, defaults: { PORT: 3000 } }), AuthModule, AdmissionModule, UsersModule, ProductsModule, OrdersModule, StatusModule],
})
export class AppModule {}
