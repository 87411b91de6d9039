import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiForbiddenResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreateOrderRequest, ERROR_CODES, ErrorResponse, IdRequest, ListOrdersRequest, OrderAcceptedResponse, OrderPage, OrderResponse, RPC, PlaceOrderMessage } from '@shop/contracts';
import { assertMayActFor, fingerprint, newObjectId, objectIdFrom, requestContext, RpcClient, ShopError } from '@shop/platform';
import type { FastifyReply } from 'fastify';
import { ApiAuthenticated, ApiCommonErrors, ApiError, ApiIdParam } from '../http/api-errors';

/** Spelled out, not `\w`: the document hands this pattern to other regex engines, where `\w` takes in Unicode letters. */
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

@ApiTags('orders')
@ApiCommonErrors()
@ApiAuthenticated()
@Controller('api/orders')
export class OrdersController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @ApiOperation({
    summary: 'Place an order',
    description:
      'Checks the user while it reserves stock for every item (all or none: what was reserved for a refused order is put back), copies the unit prices the reservations answer and confirms. Emits order.created. ' +
      'With `Prefer: respond-async` answers 202 at once and the order moves from pending to confirmed or rejected; follow `Location`.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retries with the same key return the first order and move stock once',
    schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source, example: 'checkout-7f3a' },
  })
  // Any preference may be sent (RFC 7240 ignores the unknown). No example: Swagger UI
  // would send it, and its "Try it out" should show the 201.
  @ApiHeader({ name: 'Prefer', required: false, description: '`respond-async` to answer 202 without waiting', schema: { type: 'string' } })
  @ApiCreatedResponse({ type: OrderResponse })
  @ApiAcceptedResponse({ type: OrderAcceptedResponse, description: 'Prefer: respond-async' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: a customer may order only for itself' })
  @ApiError(409, 'INSUFFICIENT_STOCK (details.products names each product, requested and available); ORDER_ABANDONED: an earlier call with this Idempotency-Key reached order-service after its caller stopped waiting and was not placed (place it again with a new key)')
  @ApiError(422, 'USER_NOT_FOUND, PRODUCT_NOT_FOUND, DUPLICATE_PRODUCT (a product on two lines) or IDEMPOTENCY_KEY_REUSED')
  async create(
    @Body() body: CreateOrderRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Headers('prefer') prefer: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<OrderResponse | OrderAcceptedResponse> {
    const duplicates = body.items.map((i) => i.productId).filter((id, i, all) => all.indexOf(id) !== i);
    if (duplicates.length > 0) {
      // 422, not 400: the body matches its schema, which cannot say "unique by productId".
      const repeated = [...new Set(duplicates)];
      throw new ShopError(422, ERROR_CODES.DUPLICATE_PRODUCT, `Each product may appear once; repeated: ${repeated.join(', ')}`, { productIds: repeated });
    }
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw ShopError.validation([{ field: 'Idempotency-Key', errors: ['Idempotency-Key must be 1-128 letters, digits, or . _ : -'] }]);
    }
    // Whose order: the one named, else the caller. order-service decides from the caller
    // too; checked here as well, because a 202 has no answer to carry a refusal.
    const principal = requestContext.principal()!;
    const userId = body.userId ?? principal.id;
    assertMayActFor(userId, 'place orders', principal);
    // Keys are the caller's own: another caller's same key names another order.
    const orderId = idempotencyKey ? objectIdFrom(`order:${principal.id}:${idempotencyKey}`) : newObjectId();
    const order = { ...body, userId };
    const command: PlaceOrderMessage = { ...order, orderId, fingerprint: fingerprint(order) };
    if (/\brespond-async\b/i.test(prefer ?? '')) {
      await this.rpc.command(RPC.ORDER_CREATE, { ...command, async: true });
      res.status(202).header('Location', `/api/orders/${orderId}`).header('Preference-Applied', 'respond-async');
      return { id: orderId, status: 'pending' };
    }
    return this.rpc.send(RPC.ORDER_CREATE, command);
  }

  @Get()
  @ApiOperation({ summary: 'List orders, oldest first, optionally one user’s', description: 'A customer sees only its own orders.' })
  @ApiForbiddenResponse({ type: ErrorResponse, description: 'FORBIDDEN: a customer named another user' })
  @ApiOkResponse({ type: OrderPage })
  list(@Query() query: ListOrdersRequest): Promise<OrderPage> {
    return this.rpc.send(RPC.ORDER_LIST, query);
  }

  @Get(':id')
  @ApiIdParam('order')
  @ApiOperation({
    summary: 'Get one order',
    description: 'Right after a 202 this may answer 404 for a moment, until order-service has taken the command. Another user’s order is 404 to a customer.',
  })
  @ApiOkResponse({ type: OrderResponse })
  @ApiError(404, 'ORDER_NOT_FOUND')
  get(@Param() { id }: IdRequest): Promise<OrderResponse> {
    return this.rpc.send(RPC.ORDER_GET, { id });
  }

  @Post(':id/cancel')
  @ApiIdParam('order')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a confirmed order', description: 'Idempotent: cancelling again answers the cancelled order. Emits order.cancelled; the stock comes back once.' })
  @ApiOkResponse({ type: OrderResponse })
  @ApiError(404, 'ORDER_NOT_FOUND')
  @ApiError(409, 'ORDER_NOT_CANCELLABLE: the order is pending or rejected')
  cancel(@Param() { id }: IdRequest): Promise<OrderResponse> {
    return this.rpc.send(RPC.ORDER_CANCEL, { id });
  }
}
