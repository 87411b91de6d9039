import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { EVENTS, IdRequest, ListOrdersRequest, PATTERNS, PlaceOrderMessage, UserDeletedEvent } from '@shop/contracts';
import { OrdersService } from './orders.service';

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** Request-reply, or (Prefer: respond-async) an emitted command whose outcome is stored. */
  @MessagePattern(PATTERNS.ORDER_CREATE)
  place(@Payload() command: PlaceOrderMessage) {
    return this.orders.place(command);
  }

  @MessagePattern(PATTERNS.ORDER_LIST)
  list(@Payload() request: ListOrdersRequest) {
    return this.orders.list(request);
  }

  @MessagePattern(PATTERNS.ORDER_GET)
  get(@Payload() request: IdRequest) {
    return this.orders.get(request.id);
  }

  @MessagePattern(PATTERNS.ORDER_CANCEL)
  cancel(@Payload() request: IdRequest) {
    return this.orders.cancel(request.id, 'cancelled by request');
  }

  @EventPattern(EVENTS.USER_DELETED)
  onUserDeleted(@Payload() event: UserDeletedEvent) {
    return this.orders.cancelAllOf(event.id);
  }
}
