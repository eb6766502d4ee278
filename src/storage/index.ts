// The store the deployment file asks for, sealed with the deployment's keys (TOK-2).
import type { Config } from '../config/load.js';
import { createMemoryStore } from './memory.js';
import { createSealer } from './seal.js';
import type { Store } from './store.js';

import { redisConnection, type RedisClient } from './redis-client.js';

export type { Store } from './store.js';
export type { RedisClient } from './redis-client.js';

/**
 * A new Redis connection with the deployment's URL, user, password, Sentinel password and
 * TLS settings — the only way code outside the store opens one (commands that run without
 * the IdP, e.g. the consent export). Inside the IdP use the store's `redis` connection.
 */
export function redisConnectionFor(config: Config): RedisClient {
  if (config.store.type !== 'redis') throw new Error('store.type is not "redis"');
  return redisConnection(config.store, config.secrets.redis ?? {});
}

export async function createStore(config: Config): Promise<Store> {
  const sealer = createSealer(config.secrets.sealingKeys, config.secrets.lookupKey);
  if (config.store.type === 'redis') {
    const { createRedisStore } = await import('./redis.js');
    return createRedisStore(config.store, sealer, config.secrets.redis ?? {});
  }
  return createMemoryStore(sealer, { maxEntries: config.store.maxEntries });
}
