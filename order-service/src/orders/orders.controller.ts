import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { EVENTS, IdRequest, ListOrdersRequest, RPC, PlaceOrderMessage, UserDeletedEvent } from '@shop/contracts';
import { OrdersService } from './orders.service';

@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  /** Request-reply, or (Prefer: respond-async) an emitted command whose outcome is stored. */
  @MessagePattern(RPC.ORDER_CREATE.pattern)
  place(@Payload() command: PlaceOrderMessage) {
    return this.orders.place(command);
  }

  @MessagePattern(RPC.ORDER_LIST.pattern)
  list(@Payload() request: ListOrdersRequest) {
    return this.orders.list(request);
  }

  @MessagePattern(RPC.ORDER_GET.pattern)
  get(@Payload() request: IdRequest) {
    return this.orders.get(request.id);
  }

  @MessagePattern(RPC.ORDER_CANCEL.pattern)
  cancel(@Payload() request: IdRequest) {
    return this.orders.cancelByRequest(request.id);
  }

  @EventPattern(EVENTS.USER_DELETED.topic)
  onUserDeleted(@Payload() event: UserDeletedEvent) {
    return this.orders.cancelAllOf(event.id);
  }
}
