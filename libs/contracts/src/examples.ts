/**
 * The ids in Swagger's examples. `npm start` seeds a demo product under `product`, and
 * user-service creates the demo customer under `user`, so an example pasted into
 * Swagger UI against a fresh stack works.
 */
export const EXAMPLE_IDS = {
  user: '6650f0c2a1b2c3d4e5f60718',
  product: '6650f0c2a1b2c3d4e5f60719',
  order: '6650f0c2a1b2c3d4e5f6071a',
} as const;

/**
 * The accounts the native dev stack creates (user-service, from ADMIN_PASSWORD and
 * DEMO_PASSWORD) with the dev defaults `npm start` prints. Anywhere else the passwords
 * come from the environment; these defaults are public and only fit a laptop.
 */
export const EXAMPLE_ACCOUNTS = {
  admin: { email: 'admin@example.com', password: 'admin-dev-password', name: 'Shop Admin' },
  customer: { email: 'demo@example.com', password: 'demo-dev-password', name: 'Demo Buyer' },
} as const;

/** What the apps sign tokens with when JWT_SECRET is not set (a laptop); public, so NODE_ENV=production refuses to run without JWT_SECRET. */
export const DEV_JWT_SECRET = 'shop-rpc-dev-only-secret-never-use-in-production';
