import { PartialType } from '@nestjs/swagger';
import { IsMongoId, Matches } from 'class-validator';
import { CreateUserMessage, CreateUserRequest, SEALED } from './create-user.request';
import { IsOmittable, OMITTABLE } from '../common/omittable';

/** PATCH body: any subset of the create fields. Only an admin may change a role. */
export class UpdateUserRequest extends PartialType(CreateUserRequest, OMITTABLE) {}

/** The user.update message: which user, and what changes (a new password sealed, like on create). */
export class UpdateUserMessage extends PartialType(CreateUserMessage, OMITTABLE) {
  @IsMongoId({ message: 'id must be a MongoDB ObjectId (24 hex characters)' })
  id!: string;

  @IsOmittable()
  @Matches(SEALED, { message: 'sealedPassword must be a password sealed by the gateway' })
  declare sealedPassword?: string;
}
