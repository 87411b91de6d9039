// GET /api/products/:id of seeded products. Target: >= 1,500 req/s at 32 VUs, p99 <= 100 ms.
import { options as runOptions, requests, seed } from './lib.js';

export const options = runOptions(100);
export const setup = () => seed({ users: 0 });
export default (data) => requests.productRead(data);
