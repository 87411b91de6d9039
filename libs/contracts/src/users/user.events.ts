import { IsMongoId, IsString } from 'class-validator';
import { UserResponse } from './user.response';

/** Value of `user.created` (key: user id). */
export type UserCreatedEvent = UserResponse;

/** Value of `user.deleted` (key: user id). */
export class UserDeletedEvent {
  @IsMongoId()
  id!: string;

  @IsString()
  deletedAt!: string;
}
