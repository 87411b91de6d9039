import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  AuthenticateMessage,
  CreateUserMessage,
  ERROR_CODES,
  EVENTS,
  Page,
  PageRequest,
  Role,
  UpdateUserMessage,
  UserCreatedEvent,
  UserDeletedEvent,
  UserResponse,
} from '@shop/contracts';
import { assertAdmin, assertMayActFor, isDuplicateKey, EventPublisher, SecretSeal, ShopError } from '@shop/platform';
import { randomBytes } from 'node:crypto';
import { Model, Types } from 'mongoose';
import { hashPassword, verifyPassword } from './password';
import { User, WITHOUT_PASSWORD } from './schemas/user.schema';
import { UserCache } from './user.cache';

/** A user as stored: reads are lean (plain objects, no mongoose document to build). */
type UserRecord = User & { _id: Types.ObjectId };

/** An account user-service makes sure exists (the admin, the Swagger examples' customer). */
export interface Account {
  id: string;
  email: string;
  name: string;
  role: Role;
  password: string;
}

@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  private indexes?: Promise<unknown>;
  /** Checked when the email is unknown, so that answer takes as long as a wrong password. */
  private readonly decoy = hashPassword(randomBytes(16).toString('hex'));

  constructor(
    @InjectModel(User.name) private readonly users: Model<User>,
    private readonly events: EventPublisher,
    private readonly seal: SecretSeal,
    private readonly cache: UserCache,
  ) {}

  /** Builds the unique email index in the background; boot does not wait for the database. */
  onModuleInit(): void {
    this.indexes = this.users.init().catch((error: unknown) => {
      this.logger.error({ err: error }, 'Could not build the users indexes yet; the next create retries');
      this.indexes = undefined;
    });
  }

  async create(message: CreateUserMessage): Promise<UserResponse> {
    // The unique email index must exist before the first write, or two creates could race past it.
    await (this.indexes ??= this.users.createIndexes());
    const { sealedPassword, ...fields } = message;
    const passwordHash = await hashPassword(this.seal.open(sealedPassword));
    const user = await this.users.create({ ...fields, passwordHash }).catch((error: unknown) => rethrowDuplicate(error, message.email));
    return this.created(toUserResponse(user));
  }

  /**
   * Creates an account unless a user with its email exists (then it leaves it as it is,
   * unless it has no password yet): one atomic upsert, so replicas booting together
   * create it once.
   */
  async ensureAccount(account: Account): Promise<'created' | 'adopted' | 'exists' | 'id taken'> {
    await (this.indexes ??= this.users.createIndexes());
    const now = new Date();
    const insert = {
      _id: new Types.ObjectId(account.id),
      name: account.name,
      role: account.role,
      passwordHash: await hashPassword(account.password),
      createdAt: now,
      updatedAt: now,
    };
    const result = await this.users
      .updateOne({ email: account.email }, { $setOnInsert: insert }, { upsert: true, timestamps: false })
      // Its id belongs to a user with another email now (the demo customer renamed): leave both be.
      .catch((error: unknown) => (isDuplicateKey(error) ? undefined : Promise.reject(error)));
    if (!result) return 'id taken';
    if (result.upsertedCount === 0) {
      // A user from before passwords existed (no hash) cannot log in: it becomes the account.
      const adopted = await this.users.updateOne({ email: account.email, passwordHash: { $exists: false } }, { $set: { role: account.role, passwordHash: await hashPassword(account.password) } });
      return adopted.modifiedCount === 1 ? 'adopted' : 'exists';
    }
    await this.created({ id: account.id, email: account.email, name: account.name, role: account.role, createdAt: now.toISOString(), updatedAt: now.toISOString() }, 'account');
    return 'created';
  }

  /** The user whose email and password these are; one answer for an unknown email and a wrong password, in the same time. */
  async authenticate(message: AuthenticateMessage): Promise<UserResponse> {
    const password = this.seal.open(message.sealedPassword);
    const user = await this.users.findOne({ email: message.email.trim().toLowerCase() }).lean<UserRecord>().exec();
    const matches = await verifyPassword(password, user?.passwordHash ?? (await this.decoy));
    if (!user || !user.passwordHash || !matches) {
      this.logger.warn({ userId: user?._id.toHexString() }, 'Refused a login: wrong email or password');
      throw new ShopError(401, ERROR_CODES.INVALID_CREDENTIALS, 'The email or password is wrong');
    }
    return toUserResponse(user);
  }

  async list(page: PageRequest): Promise<Page<UserResponse>> {
    assertAdmin('list users');
    const [docs, total] = await Promise.all([
      this.users.find({}, WITHOUT_PASSWORD).sort({ _id: 1 }).skip(page.offset).limit(page.limit).lean<UserRecord[]>().exec(),
      this.users.countDocuments().exec(),
    ]);
    return { items: docs.map(toUserResponse), total, limit: page.limit, offset: page.offset };
  }

  /** From memory when this replica holds it (UserCache), else from the database. */
  async get(id: string): Promise<UserResponse> {
    assertMayActFor(id, 'read its user');
    return this.cache.read(id, async () => {
      const user = await this.users.findById(id, WITHOUT_PASSWORD).lean<UserRecord>().exec();
      if (!user) throw ShopError.notFound(ERROR_CODES.USER_NOT_FOUND, 'User', id);
      return toUserResponse(user);
    });
  }

  async update(message: UpdateUserMessage): Promise<UserResponse> {
    const { id, sealedPassword, ...changes } = message;
    assertMayActFor(id, 'change its user');
    if (changes.role !== undefined) assertAdmin('change a role');
    const set = sealedPassword === undefined ? changes : { ...changes, passwordHash: await hashPassword(this.seal.open(sealedPassword)) };
    const user = await this.users
      .findByIdAndUpdate(id, { $set: set }, { new: true, runValidators: true })
      .lean<UserRecord>()
      .exec()
      .catch((error: unknown) => {
        this.cache.forget(id); // the write may have happened
        return rethrowDuplicate(error, changes.email ?? '');
      });
    if (!user) {
      this.cache.forget(id);
      throw ShopError.notFound(ERROR_CODES.USER_NOT_FOUND, 'User', id);
    }
    const response = toUserResponse(user);
    this.cache.wrote(id, () => response);
    this.logger.log({ userId: id, fields: Object.keys(message).filter((f) => f !== 'id') }, `Updated user ${id}`);
    return response;
  }

  async remove(id: string): Promise<{ id: string; deleted: true }> {
    assertMayActFor(id, 'delete its user');
    const user = await this.users.findByIdAndDelete(id).exec().finally(() => this.cache.forget(id));
    if (!user) throw ShopError.notFound(ERROR_CODES.USER_NOT_FOUND, 'User', id);
    const event: UserDeletedEvent = { id, deletedAt: new Date().toISOString() };
    await this.events.publish(EVENTS.USER_DELETED, event);
    this.logger.log({ userId: id }, `Deleted user ${id}`);
    return { id, deleted: true };
  }

  private async created(response: UserResponse, what: 'user' | 'account' = 'user'): Promise<UserResponse> {
    await this.events.publish(EVENTS.USER_CREATED, response satisfies UserCreatedEvent);
    this.logger.log({ userId: response.id, role: response.role }, `Created ${what} ${response.id}`);
    return response;
  }
}

/** Only what the contract names leaves the service: no `_id`, no password hash. */
export function toUserResponse(user: UserRecord): UserResponse {
  return {
    id: user._id.toHexString(),
    email: user.email,
    name: user.name,
    role: user.role ?? 'customer',
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
