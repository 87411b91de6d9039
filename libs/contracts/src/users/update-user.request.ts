import { PartialType } from '@nestjs/swagger';
import { IsMongoId } from 'class-validator';
import { CreateUserRequest } from './create-user.request';

/** PATCH body: any subset of the create fields. */
export class UpdateUserRequest extends PartialType(CreateUserRequest) {}

/** The user.update message: which user, and what changes. */
export class UpdateUserMessage extends UpdateUserRequest {
  @IsMongoId({ message: 'id must be a MongoDB ObjectId (24 hex characters)' })
  id!: string;
}
