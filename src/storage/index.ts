// The store the deployment file asks for, sealed with the deployment's keys (TOK-2): the
// memory store, the Redis store, or an agency's backend module (plugins.store).
import type { Config } from '../config/load.js';
import { silentLogger, type Logger } from '../ops/log.js';
import { loadPlugin } from '../plugins/load.js';
import { createMemoryStore } from './memory.js';
import { createSealer } from './seal.js';
import { sealedStore } from './sealed-store.js';
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

/** `logger`: what a backend module's context carries (the IdP's; commands pass none). */
export async function createStore(config: Config, logger: Logger = silentLogger): Promise<Store> {
  const sealer = createSealer(config.secrets.sealingKeys, config.secrets.lookupKey);
  const module = config.plugins.store;
  if (module) {
    // TOK-2: the agency's backend gets only sealed values and keyed hashes; it never seals.
    const backend = await loadPlugin(config, 'store', module, { logger, issuer: config.issuer, mode: config.mode });
    return sealedStore(backend, sealer);
  }
  if (config.store.type === 'redis') {
    const { createRedisStore } = await import('./redis.js');
    return createRedisStore(config.store, sealer, config.secrets.redis ?? {});
  }
  return createMemoryStore(sealer, { maxEntries: config.store.maxEntries });
}
