import { Module } from '@nestjs/common';
import { PATTERNS } from '@shop/contracts';
import { databaseModule, pingController, PlatformModule, RpcModule, ServiceConfig } from '@shop/platform';
import { UsersModule } from './users/users.module';

@Module({
  imports: [
    PlatformModule.forRoot({ service: 'user-service', config: ServiceConfig, defaults: { PORT: 3001 } }),
    databaseModule('users'),
    RpcModule.forRoot({ sends: [] }),
    UsersModule,
  ],
  controllers: [pingController(PATTERNS.USER_PING)],
})
export class AppModule {}
