import { EXAMPLE_IDS } from '../examples';
import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../common/page.response';
import { ROLES, Role } from '../auth/principal';

export class UserResponse {
  @ApiProperty({ example: EXAMPLE_IDS.user })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ enum: ROLES, example: 'customer' })
  role!: Role;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updatedAt!: string;
}

export class UserPage extends PageOf(UserResponse) {}
