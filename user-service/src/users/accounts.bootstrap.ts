import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EXAMPLE_ACCOUNTS, EXAMPLE_IDS } from '@shop/contracts';
import { objectIdFrom } from '@shop/platform';
import { UserServiceConfig } from '../config';
import { Account, UsersService } from './users.service';

const RETRY_MS = 5000;
const FIRST_TRY_MS = 3000;

/**
 * Makes sure the accounts named by the environment exist: the admin (ADMIN_EMAIL,
 * ADMIN_PASSWORD), so a fresh system has someone who may create products and admins,
 * and the Swagger examples' customer (DEMO_PASSWORD). An existing account is never
 * changed. Retries while the database is away, holding boot up for its first try only.
 */
@Injectable()
export class AccountsBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AccountsBootstrap.name);
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly users: UsersService,
    private readonly config: UserServiceConfig,
  ) {}

  accounts(): Account[] {
    const { ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_PASSWORD } = this.config;
    const admin = ADMIN_EMAIL.toLowerCase();
    return [
      ...(ADMIN_PASSWORD ? [{ id: objectIdFrom(`account:${admin}`), email: admin, name: EXAMPLE_ACCOUNTS.admin.name, role: 'admin' as const, password: ADMIN_PASSWORD }] : []),
      ...(DEMO_PASSWORD ? [{ id: EXAMPLE_IDS.user, ...EXAMPLE_ACCOUNTS.customer, role: 'customer' as const, password: DEMO_PASSWORD }] : []),
    ];
  }

  /** Waits for the first try (so the accounts exist once the service answers) at most FIRST_TRY_MS: a database away does not hold boot. */
  async onApplicationBootstrap(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.ensure(this.accounts()), new Promise((resolve) => (timer = setTimeout(resolve, FIRST_TRY_MS)))]);
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  private async ensure(pending: Account[]): Promise<void> {
    const left: Account[] = [];
    for (const account of pending) {
      try {
        const outcome = await this.users.ensureAccount(account);
        this.logger.log({ userId: account.id, role: account.role }, `The ${account.role} account ${account.email}: ${outcome}`);
      } catch (error) {
        this.logger.error({ err: error, email: account.email }, `Could not make sure the account ${account.email} exists; retrying in ${RETRY_MS / 1000} s`);
        left.push(account);
      }
    }
    if (left.length > 0) this.retry = setTimeout(() => void this.ensure(left), RETRY_MS).unref();
  }
}
