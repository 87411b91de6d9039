import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { CreateProductRequest, GetProductsRequest, IdRequest, ListProductsRequest, PATTERNS, UpdateProductMessage } from '@shop/contracts';
import { ProductsService } from './products.service';

/** product.* catalog patterns. */
@Controller()
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @MessagePattern(PATTERNS.PRODUCT_CREATE)
  create(@Payload() request: CreateProductRequest) {
    return this.products.create(request);
  }

  @MessagePattern(PATTERNS.PRODUCT_LIST)
  list(@Payload() request: ListProductsRequest) {
    return this.products.list(request);
  }

  @MessagePattern(PATTERNS.PRODUCT_GET)
  get(@Payload() request: IdRequest) {
    return this.products.get(request.id);
  }

  @MessagePattern(PATTERNS.PRODUCT_GET_MANY)
  getMany(@Payload() request: GetProductsRequest) {
    return this.products.getMany(request.ids);
  }

  @MessagePattern(PATTERNS.PRODUCT_UPDATE)
  update(@Payload() request: UpdateProductMessage) {
    const { id, ...changes } = request;
    return this.products.update(id, changes);
  }

  @MessagePattern(PATTERNS.PRODUCT_DELETE)
  remove(@Payload() request: IdRequest) {
    return this.products.remove(request.id);
  }
}
