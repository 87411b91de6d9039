import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface';
import { ERROR_CODES } from '@shop/contracts';
import { pathOf, ShopError, UNLIMITED_ROUTE } from '@shop/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';

const CREDENTIALS_ROUTE = 'shop:credentials';
const MINUTE = 60_000;
/** Login and register attempts one client may make for one email in a minute. */
export const CREDENTIAL_ATTEMPTS_PER_MINUTE = 5;

/** Login and register: limited per client and email, so guessing one account's password from one place stops fast. */
export const CredentialsRoute = () => SetMetadata(CREDENTIALS_ROUTE, true);

function marked(context: ExecutionContext, key: string): boolean {
  return Boolean(Reflect.getMetadata(key, context.getHandler()) ?? Reflect.getMetadata(key, context.getClass()));
}

/**
 * Two limits: `default`, every /api request of one IP address (RATE_LIMIT_PER_MINUTE, 0 =
 * off); `credentials`, login and register attempts per IP address and email (5 a minute).
 * Health, metrics and docs are never limited.
 */
export function rateLimits(perMinute: number): ThrottlerModuleOptions {
  return {
    storage: new WindowCounters(),
    throttlers: [
      { name: 'default', ttl: MINUTE, limit: perMinute, skipIf: (context) => perMinute === 0 || marked(context, UNLIMITED_ROUTE) },
      {
        name: 'credentials',
        ttl: MINUTE,
        limit: CREDENTIAL_ATTEMPTS_PER_MINUTE,
        skipIf: (context) => !marked(context, CREDENTIALS_ROUTE),
        getTracker: (req) => `${req.ip}|${String(req.body?.email ?? '').trim().toLowerCase()}|${pathOf({ url: String(req.url) })}`,
      },
    ],
  };
}

/**
 * The stock guard (X-RateLimit-Limit, -Remaining and -Reset on every limited answer),
 * answering in this API's error shape with a plain `Retry-After`, keyed without hashing.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}|${tracker}`;
  }

  protected override async throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const seconds = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<FastifyReply>().header('Retry-After', String(seconds));
    const what = pathOf(context.switchToHttp().getRequest<FastifyRequest>());
    throw new ShopError(429, ERROR_CODES.RATE_LIMITED, `Too many requests to ${what} from this client; retry in ${seconds} s`, { retryAfterSeconds: seconds, limit: detail.limit });
  }
}

interface Window {
  hits: number;
  endsAt: number;
  blockedUntil: number;
}

/**
 * Fixed one-window counters: O(1) per request. The library's own storage keeps one
 * timestamp per hit and filters them all on every request, which at a load tester's
 * 100,000 requests a minute costs more than the request (docs/DECISIONS.md).
 */
export class WindowCounters implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private sweeper?: NodeJS.Timeout;

  async increment(key: string, ttl: number, limit: number, blockDuration: number): Promise<ThrottlerStorageRecord> {
    const now = Date.now();
    let window = this.windows.get(key);
    if (!window) {
      window = { hits: 0, endsAt: now + ttl, blockedUntil: 0 };
      this.windows.set(key, window);
      this.sweeper ??= setInterval(() => this.sweep(), ttl).unref();
    } else if (window.endsAt <= now) {
      window.hits = 0;
      window.endsAt = now + ttl;
    }
    if (window.blockedUntil <= now) {
      window.hits++;
      if (window.hits > limit) window.blockedUntil = now + blockDuration;
    }
    const blocked = window.blockedUntil > now;
    return {
      totalHits: window.hits,
      timeToExpire: Math.ceil((window.endsAt - now) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((window.blockedUntil - now) / 1000) : 0,
    };
  }

  /** Forgets the windows that ended and block nothing. */
  private sweep(now = Date.now()): void {
    for (const [key, window] of this.windows) if (window.endsAt <= now && window.blockedUntil <= now) this.windows.delete(key);
    if (this.windows.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }
}
