import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuthenticateMessage, CreateUserMessage, IdRequest, PageRequest, RPC, UpdateUserMessage } from '@shop/contracts';
import { UsersService } from './users.service';

/** user.* request-reply patterns; the payload is validated by the platform pipe first. */
@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @MessagePattern(RPC.USER_CREATE.pattern)
  create(@Payload() request: CreateUserMessage) {
    return this.users.create(request);
  }

  @MessagePattern(RPC.USER_AUTHENTICATE.pattern)
  authenticate(@Payload() request: AuthenticateMessage) {
    return this.users.authenticate(request);
  }

  @MessagePattern(RPC.USER_LIST.pattern)
  list(@Payload() request: PageRequest) {
    return this.users.list(request);
  }

  @MessagePattern(RPC.USER_GET.pattern)
  get(@Payload() request: IdRequest) {
    return this.users.get(request.id);
  }

  @MessagePattern(RPC.USER_UPDATE.pattern)
  update(@Payload() request: UpdateUserMessage) {
    return this.users.update(request);
  }

  @MessagePattern(RPC.USER_DELETE.pattern)
  remove(@Payload() request: IdRequest) {
    return this.users.remove(request.id);
  }
}
