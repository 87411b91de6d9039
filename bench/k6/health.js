// GET /health/live: the gateway alone, no Kafka. `k6 run bench/k6/health.js`
import { options as runOptions, requests } from './lib.js';

export const options = runOptions(50);
export default () => requests.health();
