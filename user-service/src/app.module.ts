import { Module } from '@nestjs/common';
import { databaseModule, PlatformModule } from '@shop/platform';
import { UserServiceConfig } from './config';
import { UsersModule } from './users/users.module';

@Module({
  imports: [PlatformModule.forRoot({ service: 'user-service', config: UserServiceConfig, defaults: { PORT: 3001 } }), databaseModule('users'), UsersModule],
})
export class AppModule {}
