import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  CreateProductRequest,
  DEFAULT_LOW_STOCK_THRESHOLD,
  ERROR_CODES,
  EVENTS,
  ListProductsRequest,
  Page,
  ProductResponse,
  UpdateProductRequest,
} from '@shop/contracts';
import { EventPublisher, ShopError } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { Product } from './schemas/product.schema';
import { Stock } from './schemas/stock.schema';
import { ProductCache } from './product.cache';
import { ProductViewWriter } from './product-view.writer';

type ProductRecord = Product & { _id: Types.ObjectId };

@Injectable()
export class ProductsService {
  private readonly logger = new Logger(ProductsService.name);

  /** Products read from the database while a write of them ran, not yet shared with product.view (see get). */
  private readonly unshared = new Set<string>();

  constructor(
    @InjectModel(Product.name) private readonly products: Model<Product>,
    @InjectModel(Stock.name) private readonly stocks: Model<Stock>,
    private readonly events: EventPublisher,
    private readonly cache: ProductCache,
    private readonly view: ProductViewWriter,
  ) {}

  async create(request: CreateProductRequest): Promise<ProductResponse> {
    const { stock, ...catalog } = request;
    const product = await this.products.create({ ...catalog, lowStockThreshold: catalog.lowStockThreshold ?? DEFAULT_LOW_STOCK_THRESHOLD });
    await this.stocks.create({ _id: product._id, stock, initial: stock, restocked: 0, writtenOff: 0 });
    const response = toProductResponse(product.toObject(), stock);
    await Promise.all([this.events.publish(EVENTS.PRODUCT_CREATED, response), this.view.created(response)]);
    this.logger.log({ productId: response.id, stock }, `Created product ${response.id} with ${stock} in stock`);
    return response;
  }

  async list(request: ListProductsRequest): Promise<Page<ProductResponse>> {
    const filter = request.name ? { name: { $regex: escapeRegex(request.name), $options: 'i' } } : {};
    const [docs, total] = await Promise.all([
      this.products.find(filter).sort({ _id: 1 }).skip(request.offset).limit(request.limit).lean<ProductRecord[]>().exec(),
      this.products.countDocuments(filter).exec(),
    ]);
    return { items: await this.withStock(docs), total, limit: request.limit, offset: request.offset };
  }

  /**
   * From memory when this replica holds it (ProductCache), else from the database; a
   * product read from there goes to product.view too (the gateways then answer it
   * themselves: it was written before the view existed, or by the seed): at once when
   * nothing wrote it meanwhile, else what this replica holds of it, at a later read while
   * no write of it runs (then what the database holds). A reserve reads the catalog here
   * while it writes the product.
   */
  async get(id: string): Promise<ProductResponse> {
    const product = await this.cache.read(id, async () => {
      const quiet = this.view.quietSince(id);
      const loaded = await this.load(id);
      if (quiet()) {
        this.view.share(loaded);
        this.unshared.delete(id);
      } else this.unshared.add(id);
      return loaded;
    });
    // Only what this replica holds: a value loaded just now may predate a write that ran meanwhile.
    const held = this.unshared.has(id) && !this.view.writingNow(id) ? this.cache.held(id) : undefined;
    if (held) {
      this.unshared.delete(id);
      this.view.share(held);
    }
    return product;
  }

  private async load(id: string): Promise<ProductResponse> {
    const [product, stock] = await Promise.all([
      this.products.findById(id).lean<ProductRecord>().exec(),
      this.stocks.findById(id, { stock: 1 }).lean<{ stock: number }>().exec(),
    ]);
    if (!product) throw ShopError.notFound(ERROR_CODES.PRODUCT_NOT_FOUND, 'Product', id);
    return toProductResponse(product, stock?.stock ?? 0);
  }

  /**
   * The products that exist among `ids` (the caller sees which are missing), each read by
   * its _id: FerretDB v1 hands `{_id: {$in: ids}}` to neither backend and scans the whole
   * collection itself (an order took 520-720 ms at 10,000 products), while a read by _id
   * is an index lookup. Not from the cache: this replica may not own these products.
   */
  async getMany(ids: string[]): Promise<ProductResponse[]> {
    const docs = await Promise.all([...new Set(ids)].map((id) => this.products.findById(id).lean<ProductRecord>().exec()));
    return this.withStock(docs.filter((doc): doc is ProductRecord => doc !== null));
  }

  async update(id: string, changes: UpdateProductRequest): Promise<ProductResponse> {
    return this.forgettingOnFailure(id, () => this.view.during(id, () => this.applyUpdate(id, changes)));
  }

  private async applyUpdate(id: string, changes: UpdateProductRequest): Promise<ProductResponse> {
    await this.view.catalogPending(id);
    const product = await this.products.findByIdAndUpdate(id, { $set: changes }, { new: true, runValidators: true }).lean<ProductRecord>().exec();
    if (!product) {
      await this.view.deleted(id);
      throw ShopError.notFound(ERROR_CODES.PRODUCT_NOT_FOUND, 'Product', id);
    }
    this.logger.log({ productId: id, fields: Object.keys(changes) }, `Updated product ${id}`);
    const [response] = await this.withStock([product]);
    await this.view.catalog(response);
    this.cache.written(response);
    return response;
  }

  async remove(id: string): Promise<{ id: string; deleted: true }> {
    await this.forgettingOnFailure(id, () => this.view.during(id, async () => {
      await this.view.deleting(id);
      const product = await this.products.findByIdAndDelete(id).exec();
      if (product) await this.stocks.deleteOne({ _id: id }).exec();
      await this.view.deleted(id);
      if (!product) throw ShopError.notFound(ERROR_CODES.PRODUCT_NOT_FOUND, 'Product', id);
    }));
    this.cache.forget(id);
    this.unshared.delete(id);
    this.logger.log({ productId: id }, `Deleted product ${id}`);
    return { id, deleted: true };
  }

  /** Runs a catalog write; when it fails, the product is dropped from memory (the database may hold part of it). */
  private async forgettingOnFailure<T>(id: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      this.cache.forget(id);
      throw error;
    }
  }

  /** Each product with its stock, read by _id (see getMany for why not `$in`). */
  private async withStock(docs: ProductRecord[]): Promise<ProductResponse[]> {
    const stocks = await Promise.all(docs.map((d) => this.stocks.findById(d._id, { stock: 1 }).lean<{ stock: number }>().exec()));
    return docs.map((d, i) => toProductResponse(d, stocks[i]?.stock ?? 0));
  }
}

/** Only the contract's fields leave the service. */
export function toProductResponse(product: ProductRecord, stock: number): ProductResponse {
  const response: ProductResponse = {
    id: product._id.toHexString(),
    name: product.name,
    priceCents: product.priceCents,
    stock,
    lowStockThreshold: product.lowStockThreshold,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
  if (product.description !== undefined) response.description = product.description;
  return response;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
