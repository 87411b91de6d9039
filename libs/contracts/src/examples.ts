/**
 * The ids in Swagger's examples. `npm start` seeds a demo user and product under the
 * first two, so an example pasted into Swagger UI against a fresh stack works.
 */
export const EXAMPLE_IDS = {
  user: '6650f0c2a1b2c3d4e5f60718',
  product: '6650f0c2a1b2c3d4e5f60719',
  order: '6650f0c2a1b2c3d4e5f6071a',
} as const;
