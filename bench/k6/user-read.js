// GET /api/users/:id of seeded users.
import { options as runOptions, requests, seed } from './lib.js';

export const options = runOptions(100);
export const setup = () => seed({ products: 0 });
export default (data) => requests.userRead(data);
