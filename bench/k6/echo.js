// GET /api/status: a ping to every service over Kafka request-reply, no database.
import { options as runOptions, requests } from './lib.js';

export const options = runOptions(100);
export default () => requests.echo();
