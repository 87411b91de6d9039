import { DEV_JWT_SECRET } from '@shop/contracts';

/**
 * The secret tokens are signed with (and passwords sealed with): JWT_SECRET, or the dev
 * default on a laptop. With NODE_ENV=production the app refuses to boot without one.
 */
export function jwtSecret(env: { JWT_SECRET?: string; NODE_ENV?: string }): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.NODE_ENV === 'production') {
    throw new Error('Invalid environment:\n - JWT_SECRET is required when NODE_ENV=production (at least 32 characters, shared by the gateway and user-service)');
  }
  return DEV_JWT_SECRET;
}
