import { Controller } from '@nestjs/common';
import { EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { EVENTS, OrderCancelledEvent, RPC, StockMovementMessage } from '@shop/contracts';
import { StockService } from './stock.service';

@Controller()
export class StockController {
  constructor(private readonly stock: StockService) {}

  /** Requests (reserve, release, adjust) and, with no reply wanted, releases after a cancellation. */
  @MessagePattern(RPC.PRODUCT_STOCK.pattern)
  move(@Payload() movement: StockMovementMessage) {
    return this.stock.apply(movement);
  }

  /** Puts a cancelled order's stock back, through the keyed stock topic. */
  @EventPattern(EVENTS.ORDER_CANCELLED.topic)
  onOrderCancelled(@Payload() event: OrderCancelledEvent) {
    return this.stock.releaseCancelledOrder(event);
  }
}
