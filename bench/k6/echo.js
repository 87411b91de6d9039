// GET /api/status: a ping to every service over Kafka request-reply, no database.
import { options as runOptions, requests, seed } from './lib.js';

export const options = runOptions(100);
export const setup = () => seed({ users: 0, products: 0 });
export default (data) => requests.echo(data);
