import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdjustStockRequest,
  CreateProductRequest,
  IdRequest,
  ListProductsRequest,
  PATTERNS,
  ProductPage,
  ProductResponse,
  StockMovementResult,
  UpdateProductRequest,
} from '@shop/contracts';
import { RpcClient } from '@shop/platform';
import { randomUUID } from 'node:crypto';
import { ApiCommonErrors, ApiError, ApiIdParam } from '../http/api-errors';

@ApiTags('products')
@ApiCommonErrors()
@Controller('api/products')
export class ProductsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a product with its initial stock', description: 'Emits product.created.' })
  @ApiCreatedResponse({ type: ProductResponse })
  create(@Body() body: CreateProductRequest): Promise<ProductResponse> {
    return this.rpc.send(PATTERNS.PRODUCT_CREATE, body);
  }

  @Get()
  @ApiOperation({ summary: 'List products, oldest first, optionally by part of the name' })
  @ApiOkResponse({ type: ProductPage })
  list(@Query() query: ListProductsRequest): Promise<ProductPage> {
    return this.rpc.send(PATTERNS.PRODUCT_LIST, query);
  }

  @Get(':id')
  @ApiIdParam('product')
  @ApiOperation({ summary: 'Get one product with its current stock' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  get(@Param() { id }: IdRequest): Promise<ProductResponse> {
    return this.rpc.send(PATTERNS.PRODUCT_GET, { id }, id);
  }

  @Patch(':id')
  @ApiIdParam('product')
  @ApiOperation({ summary: 'Change catalog fields (name, description, price, low-stock threshold)', description: 'Stock changes go through POST /api/products/{id}/stock.' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  update(@Param() { id }: IdRequest, @Body() changes: UpdateProductRequest): Promise<ProductResponse> {
    return this.rpc.send(PATTERNS.PRODUCT_UPDATE, { ...changes, id }, id);
  }

  @Delete(':id')
  @ApiIdParam('product')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a product', description: 'Orders keep the name and price they were confirmed with.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  async remove(@Param() { id }: IdRequest): Promise<void> {
    await this.rpc.send(PATTERNS.PRODUCT_DELETE, { id }, id);
  }

  @Post(':id/stock')
  @ApiIdParam('product')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Restock (positive delta) or write off (negative delta)',
    description: 'Travels on the keyed stock topic like every stock movement; never takes stock below zero. May emit product.stock-low.',
  })
  @ApiOkResponse({ type: ProductResponse })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  @ApiError(409, 'INSUFFICIENT_STOCK: the write-off is larger than the stock')
  async adjustStock(@Param() { id }: IdRequest, @Body() { delta }: AdjustStockRequest): Promise<ProductResponse> {
    await this.rpc.send<StockMovementResult>(PATTERNS.PRODUCT_STOCK, { kind: 'adjust', productId: id, delta, movementId: randomUUID() }, id);
    return this.rpc.send(PATTERNS.PRODUCT_GET, { id }, id);
  }
}
