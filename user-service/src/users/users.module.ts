import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { secretSealProvider } from '@shop/platform';
import { AccountsBootstrap } from './accounts.bootstrap';
import { User, UserSchema } from './schemas/user.schema';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

@Module({
  imports: [MongooseModule.forFeature([{ name: User.name, schema: UserSchema }])],
  controllers: [UsersController],
  providers: [UsersService, AccountsBootstrap, secretSealProvider],
})
export class UsersModule {}
