import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { Order, OrderSchema } from './schemas/order.schema';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { OrderSaga } from './order.saga';
import { PendingRelease, PendingReleaseSchema } from './schemas/pending-release.schema';
import { StockReleases } from './stock-releases';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Order.name, schema: OrderSchema },
      { name: PendingRelease.name, schema: PendingReleaseSchema },
    ]),
  ],
  controllers: [OrdersController],
  providers: [OrdersService, OrderSaga, StockReleases],
})
export class OrdersModule {}
