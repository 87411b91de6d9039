import { Module } from '@nestjs/common';
import { databaseModule, PlatformModule, ServiceConfig } from '@shop/platform';
import { UsersModule } from './users/users.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'user-service', config: ServiceConfig, defaults: { PORT: 3001 } }), databaseModule('users'), UsersModule],
})
export class AppModule {}
