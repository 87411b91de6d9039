// 70 % product read, 20 % user read, 10 % order create.
import { options as runOptions, requests, seed } from './lib.js';

export const options = runOptions(150);
export const setup = () => seed();
export default (data) => {
  const r = Math.random();
  if (r < 0.7) requests.productRead(data);
  else if (r < 0.9) requests.userRead(data);
  else requests.orderCreate(data);
};
