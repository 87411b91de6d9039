import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateUserRequest, IdRequest, PageRequest, PATTERNS, UpdateUserMessage } from '@shop/contracts';
import { UsersService } from './users.service';

/** user.* request-reply patterns; the payload is validated by the platform pipe first. */
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(PATTERNS.USER_CREATE)
  create(@Payload() request: CreateUserRequest) {
    return this.users.create(request);
  }

  @MessagePattern(PATTERNS.USER_LIST)
  list(@Payload() request: PageRequest) {
    return this.users.list(request);
  }

  @MessagePattern(PATTERNS.USER_GET)
  get(@Payload() request: IdRequest) {
    return this.users.get(request.id);
  }

  @MessagePattern(PATTERNS.USER_UPDATE)
  update(@Payload() request: UpdateUserMessage) {
    const { id, ...changes } = request;
    return this.users.update(id, changes);
  }

  @MessagePattern(PATTERNS.USER_DELETE)
  remove(@Payload() request: IdRequest) {
    return this.users.remove(request.id);
  }
}
