// POST /api/orders, one item, quantity 1. Target: >= 300 orders/s, no errors.
import { options as runOptions, requests, seed } from './lib.js';

export const options = runOptions(250);
export const setup = () => seed();
export default (data) => requests.orderCreate(data);
