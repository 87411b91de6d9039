import { ApiProperty } from '@nestjs/swagger';
import { PageOf } from '../common/page.response';

export class UserResponse {
  @ApiProperty({ example: '6650f0c2a1b2c3d4e5f60718' })
  id!: string;

  @ApiProperty({ example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name!: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  updatedAt!: string;
}

export class UserPage extends PageOf(UserResponse) {}
