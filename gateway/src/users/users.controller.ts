import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateUserRequest, IdRequest, PageRequest, RPC, UpdateUserRequest, UserPage, UserResponse } from '@shop/contracts';
import { RpcClient, SecretSeal } from '@shop/platform';
import { Roles } from '../auth/auth.guard';
import { ApiAuthenticated, ApiCommonErrors, ApiError, ApiIdParam } from '../http/api-errors';

const OWN = 'a customer may read and change only its own user';

@ApiTags('users')
@ApiCommonErrors()
@Controller('api/users')
export class UsersController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly seal: SecretSeal,
  ) {}

  @Post()
  @Roles('admin')
  @ApiAuthenticated('only an admin may create users (anyone may register: POST /api/auth/register)')
  @ApiOperation({ summary: 'Create a user with any role (admin)', description: 'Emits user.created.' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiError(409, 'USER_EMAIL_TAKEN')
  create(@Body() { password, role, ...user }: CreateUserRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_CREATE, { ...user, role: role ?? 'customer', sealedPassword: this.seal.seal(password) });
  }

  @Get()
  @Roles('admin')
  @ApiAuthenticated('only an admin may list users')
  @ApiOperation({ summary: 'List users, oldest first (admin)' })
  @ApiOkResponse({ type: UserPage })
  list(@Query() page: PageRequest): Promise<UserPage> {
    return this.rpc.send(RPC.USER_LIST, page);
  }

  @Get(':id')
  @ApiIdParam('user')
  @ApiAuthenticated(OWN)
  @ApiOperation({ summary: 'Get one user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiError(404, 'USER_NOT_FOUND')
  get(@Param() { id }: IdRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_GET, { id });
  }

  @Patch(':id')
  @ApiIdParam('user')
  @ApiAuthenticated(`${OWN}; only an admin may change a role`)
  @ApiOperation({ summary: 'Change a user’s email, name, password or (admin) role' })
  @ApiOkResponse({ type: UserResponse })
  @ApiError(404, 'USER_NOT_FOUND')
  @ApiError(409, 'USER_EMAIL_TAKEN')
  update(@Param() { id }: IdRequest, @Body() { password, ...changes }: UpdateUserRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_UPDATE, { ...changes, ...(password !== undefined && { sealedPassword: this.seal.seal(password) }), id });
  }

  @Delete(':id')
  @ApiIdParam('user')
  @HttpCode(204)
  @ApiAuthenticated(OWN)
  @ApiOperation({ summary: 'Delete a user', description: 'Emits user.deleted; order-service cancels the user’s open orders.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiError(404, 'USER_NOT_FOUND')
  async remove(@Param() { id }: IdRequest): Promise<void> {
    await this.rpc.send(RPC.USER_DELETE, { id });
  }
}
