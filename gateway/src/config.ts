import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { AppConfig } from '@shop/platform';

/** The gateway's environment: the platform's, plus who may call and how often. */
export class GatewayConfig extends AppConfig {
  /** How long an access token lives: seconds, or a number with s, m, h or d. */
  @Matches(/^\d+[smhd]?$/, { message: 'JWT_TTL must be seconds or a number with s, m, h or d (e.g. 15m)' })
  JWT_TTL: string = '15m';

  /**
   * Requests one client (IP address) may make in a minute across /api, counted per
   * gateway replica; 0 turns the limit off. High by default so a load tester on one
   * machine is not refused (one gateway on two cores answers 8,000-10,000 product reads a
   * second; the old default, 300,000 a minute, refused a load test within its first
   * minute); set it to what one real client needs.
   */
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  RATE_LIMIT_PER_MINUTE: number = 3_000_000;

  /**
   * Admission control: a call to an /api route that would wait longer than this for its
   * answer (judged from the route's calls in flight and answers per second) is refused at
   * once with 503 OVERLOADED and Retry-After (twice as long early in a burst, until the
   * route's first refusal: see BURST_SLACK). Default: half of RPC_TIMEOUT_MS; 0 = off.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  ADMISSION_MAX_WAIT_MS?: number;

  /** Comma-separated origins a browser may call the API from (CORS); none when unset. */
  @IsOptional()
  @Matches(/^(\*|https?:\/\/[^\s,]+(,https?:\/\/[^\s,]+)*)$/, { message: 'CORS_ORIGINS must be * or a comma-separated list of http(s) origins' })
  CORS_ORIGINS?: string;
}

/** JWT_TTL in seconds. */
export function ttlSeconds(ttl: string): number {
  const [, amount, unit] = /^(\d+)([smhd]?)$/.exec(ttl)!;
  return Number(amount) * { s: 1, m: 60, h: 3600, d: 86_400 }[(unit || 's') as 's' | 'm' | 'h' | 'd'];
}
