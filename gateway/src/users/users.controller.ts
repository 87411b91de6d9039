import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateUserRequest, IdRequest, PageRequest, RPC, UpdateUserRequest, UserPage, UserResponse } from '@shop/contracts';
import { RpcClient } from '@shop/platform';
import { ApiCommonErrors, ApiError, ApiIdParam } from '../http/api-errors';

@ApiTags('users')
@ApiCommonErrors()
@Controller('api/users')
export class UsersController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a user', description: 'Emits user.created.' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiError(409, 'USER_EMAIL_TAKEN')
  create(@Body() body: CreateUserRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_CREATE, body);
  }

  @Get()
  @ApiOperation({ summary: 'List users, oldest first' })
  @ApiOkResponse({ type: UserPage })
  list(@Query() page: PageRequest): Promise<UserPage> {
    return this.rpc.send(RPC.USER_LIST, page);
  }

  @Get(':id')
  @ApiIdParam('user')
  @ApiOperation({ summary: 'Get one user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiError(404, 'USER_NOT_FOUND')
  get(@Param() { id }: IdRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_GET, { id });
  }

  @Patch(':id')
  @ApiIdParam('user')
  @ApiOperation({ summary: 'Change a user’s email or name' })
  @ApiOkResponse({ type: UserResponse })
  @ApiError(404, 'USER_NOT_FOUND')
  @ApiError(409, 'USER_EMAIL_TAKEN')
  update(@Param() { id }: IdRequest, @Body() changes: UpdateUserRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_UPDATE, { ...changes, id });
  }

  @Delete(':id')
  @ApiIdParam('user')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user', description: 'Emits user.deleted; order-service cancels the user’s open orders.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiError(404, 'USER_NOT_FOUND')
  async remove(@Param() { id }: IdRequest): Promise<void> {
    await this.rpc.send(RPC.USER_DELETE, { id });
  }
}
