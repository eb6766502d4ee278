// Placeholder until the Redis store lands (issue 4): refuses to start rather than
// pretending to work.
import type { StoreConfig } from '../config/schema.js';
import type { Sealer } from './seal.js';
import type { Store } from './store.js';

export function createRedisStore(_config: Extract<StoreConfig, { type: 'redis' }>, _sealer: Sealer): Promise<Store> {
  return Promise.reject(new Error('store.type "redis" is not available in this build yet'));
}
