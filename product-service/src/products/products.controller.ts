import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateProductRequest, GetProductsRequest, IdRequest, ListProductsRequest, RPC, UpdateProductMessage } from '@shop/contracts';
import { ProductsService } from './products.service';

/** product.* catalog patterns. */
@Controller()
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @MessagePattern(RPC.PRODUCT_CREATE.pattern)
  create(@Payload() request: CreateProductRequest) {
    return this.products.create(request);
  }

  @MessagePattern(RPC.PRODUCT_LIST.pattern)
  list(@Payload() request: ListProductsRequest) {
    return this.products.list(request);
  }

  @MessagePattern(RPC.PRODUCT_GET.pattern)
  get(@Payload() request: IdRequest) {
    return this.products.get(request.id);
  }

  @MessagePattern(RPC.PRODUCT_GET_MANY.pattern)
  getMany(@Payload() request: GetProductsRequest) {
    return this.products.getMany(request.ids);
  }

  @MessagePattern(RPC.PRODUCT_UPDATE.pattern)
  update(@Payload() request: UpdateProductMessage) {
    const { id, ...changes } = request;
    return this.products.update(id, changes);
  }

  @MessagePattern(RPC.PRODUCT_DELETE.pattern)
  remove(@Payload() request: IdRequest) {
    return this.products.remove(request.id);
  }
}
