import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { LoginRequest, RegisterRequest, RPC, TokenResponse, UserResponse } from '@shop/contracts';
import { Public, requestContext, RpcClient, SecretSeal } from '@shop/platform';
import { ApiAuthenticated, ApiCommonErrors, ApiError } from '../http/api-errors';
import { CredentialsRoute } from './rate-limit';
import { Tokens } from './tokens';

@ApiTags('auth')
@ApiCommonErrors()
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly tokens: Tokens,
    private readonly seal: SecretSeal,
  ) {}

  @Post('register')
  @Public()
  @CredentialsRoute()
  @ApiOperation({ summary: 'Register as a customer', description: 'Public; at most 5 attempts a minute per client and email. Emits user.created.' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiError(409, 'USER_EMAIL_TAKEN')
  register(@Body() { password, ...user }: RegisterRequest): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_CREATE, { ...user, role: 'customer' as const, sealedPassword: this.seal.seal(password) });
  }

  @Post('login')
  @Public()
  @CredentialsRoute()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in: a bearer token for the other routes',
    description: 'Public; at most 5 attempts a minute per client and email. Put the token in Swagger UI’s Authorize button, or send `Authorization: Bearer <accessToken>`.',
  })
  @ApiOkResponse({ type: TokenResponse })
  @ApiError(401, 'INVALID_CREDENTIALS: unknown email or wrong password (the same answer for both)')
  async login(@Body() { email, password }: LoginRequest): Promise<TokenResponse> {
    const user = await this.rpc.send(RPC.USER_AUTHENTICATE, { email, sealedPassword: this.seal.seal(password) });
    return this.tokens.issue(user);
  }

  @Get('me')
  @ApiAuthenticated()
  @ApiOperation({ summary: 'The caller: the user its token names' })
  @ApiOkResponse({ type: UserResponse })
  @ApiError(404, 'USER_NOT_FOUND: the token names a user deleted since')
  me(): Promise<UserResponse> {
    return this.rpc.send(RPC.USER_GET, { id: requestContext.principal()!.id });
  }
}
