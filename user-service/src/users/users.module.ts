import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { secretSealProvider } from '@shop/platform';
import { AccountsBootstrap } from './accounts.bootstrap';
import { User, UserSchema } from './schemas/user.schema';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { UserCache } from './user.cache';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  controllers: [UsersController],
  providers: [UsersService, UserCache, AccountsBootstrap, secretSealProvider],
})
export class UsersModule {}
