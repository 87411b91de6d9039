import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PlatformModule } from '@shop/platform';
import { AuthModule } from './auth/auth.module';
import { GatewayConfig } from './config';
import { AdmissionGuard } from './http/admission';
import { OrdersModule } from './orders/orders.module';
import { ProductsModule } from './products/products.module';
import { StatusModule } from './status/status.module';
import { UsersModule } from './users/users.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'gateway', config: GatewayConfig, defaults: { PORT: 3000 } }), AuthModule, UsersModule, ProductsModule, OrdersModule, StatusModule],
  providers: [{ provide: APP_GUARD, useClass: AdmissionGuard }],
})
export class AppModule {}
