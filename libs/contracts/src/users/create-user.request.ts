import { ApiProperty, ApiPropertyOptional, PickType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES, Role } from '../auth/principal';
import { EXAMPLE_ACCOUNTS } from '../examples';
import { lowerCase, TRIMMED } from '../common/text';
import { IsOmittable } from '../common/omittable';


export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * A password sealed by the gateway for user-service (AES-256-GCM, `v1.<iv>.<ciphertext>`):
 * passwords cross Kafka only in this form, so nobody reading a topic sees one.
 */
export const SEALED = /^v1\.[\w-]{16}\.[\w-]{22,}$/;
const sealedMessage = { message: 'sealedPassword must be a password sealed by the gateway' };

/** POST /api/users (admin): a user with a password and a role. */
export class CreateUserRequest {
  @ApiProperty({ example: 'ada@example.com', description: 'Unique, case-insensitive' })
  @Transform(lowerCase)
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace', description: 'Not blank; no whitespace at either end; no NUL character (U+0000)' })
  @IsString()
  @Length(1, 100)
  @Matches(TRIMMED, { message: 'name must not start or end with whitespace, nor contain the NUL character (U+0000)' })
  name!: string;

  @ApiProperty({ example: 'correct-horse-battery', description: 'Stored only as a slow hash; never returned' })
  @IsString()
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, { message: `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;

  @ApiPropertyOptional({ enum: ROLES, default: 'customer', example: 'customer' })
  @IsOmittable()
  @IsIn(ROLES)
  role?: Role;
}

/** POST /api/auth/register: anyone may register, always as a customer. */
export class RegisterRequest extends PickType(CreateUserRequest, ['email', 'name', 'password'] as const) {}

/** POST /api/auth/login. */
export class LoginRequest {
  @ApiProperty({ example: EXAMPLE_ACCOUNTS.admin.email, description: 'Case-insensitive' })
  @Transform(lowerCase)
  @IsString()
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: EXAMPLE_ACCOUNTS.admin.password, description: 'The example is the native dev stack’s admin (ADMIN_PASSWORD)' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;
}

/** What POST /api/auth/login answers: send `Authorization: Bearer <accessToken>`. */
export class TokenResponse {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NjUwZjBjMmExYjJjM2Q0ZTVmNjA3MTgiLCJyb2xlIjoiY3VzdG9tZXIifQ.c2lnbmF0dXJl' })
  accessToken!: string;

  @ApiProperty({ example: 'Bearer', enum: ['Bearer'] })
  tokenType!: 'Bearer';

  @ApiProperty({ type: 'integer', example: 900, description: 'Seconds until the token expires (JWT_TTL)' })
  expiresIn!: number;
}

/** user.create on Kafka: the password sealed, the role decided by the gateway (register is always customer). */
export class CreateUserMessage extends PickType(CreateUserRequest, ['email', 'name'] as const) {
  @IsIn(ROLES)
  role!: Role;

  @Matches(SEALED, sealedMessage)
  sealedPassword!: string;
}

/** user.authenticate on Kafka. */
export class AuthenticateMessage {
  @IsString()
  @MaxLength(254)
  email!: string;

  @Matches(SEALED, sealedMessage)
  sealedPassword!: string;
}
