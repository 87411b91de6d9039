import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  CreateUserRequest,
  ERROR_CODES,
  EVENTS,
  Page,
  PageRequest,
  UpdateUserRequest,
  UserCreatedEvent,
  UserDeletedEvent,
  UserResponse,
} from '@shop/contracts';
import { isDuplicateKey, EventPublisher, ShopError } from '@shop/platform';
import { Model, Types } from 'mongoose';
import { User } from './schemas/user.schema';

/** A user as stored: reads are lean (plain objects, no mongoose document to build). */
type UserRecord = User & { _id: Types.ObjectId };

@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);

  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly events: EventPublisher,
  ) {}

  private indexes?: Promise<unknown>;

  /** Builds the unique email index in the background; boot does not wait for the database. */
  onModuleInit(): void {
    this.indexes = this.users.init().catch((error: unknown) => {
      this.logger.error({ err: error }, 'Could not build the users indexes yet; the next create retries');
      this.indexes = undefined;
    });
  }

  async create(request: CreateUserRequest): Promise<UserResponse> {
    // The unique email index must exist before the first write, or two creates could race past it.
    await (this.indexes ??= this.users.createIndexes());
    const user = await this.users.create(request).catch((error: unknown) => rethrowDuplicate(error, request.email));
    const response = toUserResponse(user);
    await this.events.publish(EVENTS.USER_CREATED, response satisfies UserCreatedEvent);
    this.logger.log({ userId: response.id }, `Created user ${response.id}`);
    return response;
  }

  async list(page: PageRequest): Promise<Page<UserResponse>> {
    const [docs, total] = await Promise.all([
      this.users.find().sort({ _id: 1 }).skip(page.offset).limit(page.limit).lean<UserRecord[]>().exec(),
      this.users.countDocuments().exec(),
    ]);
    return { items: docs.map(toUserResponse), total, limit: page.limit, offset: page.offset };
  }

  async get(id: string): Promise<UserResponse> {
    const user = await this.users.findById(id).lean<UserRecord>().exec();
    if (!user) throw ShopError.notFound(ERROR_CODES.USER_NOT_FOUND, 'User', id);
    return toUserResponse(user);
  }

  async update(id: string, changes: UpdateUserRequest): Promise<UserResponse> {
    const user = await this.users
      .findByIdAndUpdate(id, { $set: changes }, { new: true, runValidators: true })
      .lean<UserRecord>()
      .exec()
      .catch((error: unknown) => rethrowDuplicate(error, changes.email ?? ''));
    if (!user) throw ShopError.notFound(ERROR_CODES.USER_NOT_FOUND, 'User', id);
    this.logger.log({ userId: id, fields: Object.keys(changes) }, `Updated user ${id}`);
    return toUserResponse(user);
  }

  async remove(id: string): Promise<{ id: string; deleted: true }> {
    const user = await this.users.findByIdAndDelete(id).exec();
    if (!user) throw ShopError.notFound(ERROR_CODES.USER_NOT_FOUND, 'User', id);
    const event: UserDeletedEvent = { id, deletedAt: new Date().toISOString() };
    await this.events.publish(EVENTS.USER_DELETED, event);
    this.logger.log({ userId: id }, `Deleted user ${id}`);
    return { id, deleted: true };
  }
}

/** Only what the contract names leaves the service: no `_id`, no `__v`. */
export function toUserResponse(user: UserRecord): UserResponse {
  return {
    id: user._id.toHexString(),
    email: user.email,
    name: user.name,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

function rethrowDuplicate(error: unknown, email: string): never {
  if (isDuplicateKey(error)) {
    throw new ShopError(409, ERROR_CODES.USER_EMAIL_TAKEN, `A user with email ${email} already exists`, { email });
  }
  throw error;
}
