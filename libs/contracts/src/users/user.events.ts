import { UserResponse } from './user.response';

/** Value of `user.created` (key: user id). */
export type UserCreatedEvent = UserResponse;

/** Value of `user.deleted` (key: user id). */
export interface UserDeletedEvent {
  id: string;
  deletedAt: string;
}
