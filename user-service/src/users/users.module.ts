import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { jwtSecret, SecretSeal } from '@shop/platform';
import { UserServiceConfig } from '../config';
import { AccountsBootstrap } from './accounts.bootstrap';
import { User, UserSchema } from './schemas/user.schema';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  controllers: [UsersController],
  providers: [UsersService, AccountsBootstrap, { provide: SecretSeal, useFactory: (config: UserServiceConfig) => new SecretSeal(jwtSecret(config)), inject: [UserServiceConfig] }],
})
export class UsersModule {}
