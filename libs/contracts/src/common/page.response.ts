import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** Every list answers this shape. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** The documented class of a page of `item`s, for Swagger: `class UserPage extends PageOf(UserResponse) {}`. */
export function PageOf<T>(item: Type<T>): Type<Page<T>> {
  class PageOfItems implements Page<T> {
    @ApiProperty({ type: [item] })
    items!: T[];

    @ApiProperty({ type: 'integer', example: 1, description: 'How many there are in all' })
    total!: number;

    @ApiProperty({ type: 'integer', example: 20 })
    limit!: number;

    @ApiProperty({ type: 'integer', example: 0 })
    offset!: number;
  }
  return PageOfItems;
}
