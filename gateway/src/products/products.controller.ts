import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdjustStockRequest,
  CreateProductRequest,
  IdRequest,
  ListProductsRequest,
  RPC,
  ProductPage,
  ProductResponse,
  stockMovement,
  UpdateProductRequest,
} from '@shop/contracts';
import { Public, RpcClient } from '@shop/platform';
import { Roles } from '../auth/auth.guard';
import { ProductView } from './product-view';
import { ApiAuthenticated, ApiCommonErrors, ApiError, ApiIdParam } from '../http/api-errors';

const ADMIN = 'only an admin may change products and stock';

@ApiTags('products')
@ApiCommonErrors()
@Controller('api/products')
export class ProductsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly view: ProductView,
  ) {}

  @Post()
  @Roles('admin')
  @ApiAuthenticated(ADMIN)
  @ApiOperation({ summary: 'Create a product with its initial stock', description: 'Emits product.created.' })
  @ApiCreatedResponse({ type: ProductResponse })
  create(@Body() body: CreateProductRequest): Promise<ProductResponse> {
    return this.rpc.send(RPC.PRODUCT_CREATE, body);
  }

  @Get()
  @Public()
  @ApiOperation({ summary: 'List products, oldest first, optionally by part of the name' })
  @ApiOkResponse({ type: ProductPage })
  list(@Query() query: ListProductsRequest): Promise<ProductPage> {
    return this.rpc.send(RPC.PRODUCT_LIST, query);
  }

  @Get(':id')
  @Public()
  @ApiIdParam('product')
  @ApiOperation({ summary: 'Get one product with its current stock', description: 'Answered from the gateway\'s copy of product.view once it holds every change acknowledged before the request; else from product-service.' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  async get(@Param() { id }: IdRequest): Promise<ProductResponse> {
    return (await this.view.read(id)) ?? this.rpc.send(RPC.PRODUCT_GET, { id });
  }

  @Patch(':id')
  @Roles('admin')
  @ApiAuthenticated(ADMIN)
  @ApiIdParam('product')
  @ApiOperation({ summary: 'Change catalog fields (name, description, price, low-stock threshold)', description: 'Stock changes go through POST /api/products/{id}/stock.' })
  @ApiOkResponse({ type: ProductResponse })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  update(@Param() { id }: IdRequest, @Body() changes: UpdateProductRequest): Promise<ProductResponse> {
    return this.rpc.send(RPC.PRODUCT_UPDATE, { ...changes, id });
  }

  @Delete(':id')
  @Roles('admin')
  @ApiAuthenticated(ADMIN)
  @ApiIdParam('product')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a product', description: 'Orders keep the name and price they were confirmed with.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiError(404, 'PRODUCT_NOT_FOUND')
  async remove(@Param() { id }: IdRequest): Promise<void> {
    await this.rpc.send(RPC.PRODUCT_DELETE, { id });
  }

  @Post(':id/stock')
  @Roles('admin')
  @ApiAuthenticated(ADMIN)
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
    await this.rpc.send(RPC.PRODUCT_STOCK, stockMovement.adjust(id, delta));
    return this.get({ id });
  }
}
