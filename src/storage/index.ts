// The store the deployment file asks for, sealed with the deployment's keys (TOK-2).
import type { Config } from '../config/load.js';
import { createMemoryStore } from './memory.js';
import { createSealer } from './seal.js';
import type { Store } from './store.js';

export type { Store } from './store.js';

export async function createStore(config: Config): Promise<Store> {
  const sealer = createSealer(config.secrets.sealingKeys, config.secrets.lookupKey);
  if (config.store.type === 'redis') {
    const { createRedisStore } = await import('./redis.js');
    return createRedisStore(config.store, sealer, config.secrets.redis);
  }
  return createMemoryStore(sealer, { maxEntries: config.store.maxEntries });
}
