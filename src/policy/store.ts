// The store the deployment names: a Redis URL that Redis clients can use, and the memory
// store only where one process serves everyone.
import type { Problem } from '../config/errors.js';
import type { StoreConfig } from '../config/schema.js';

/** Why a Redis URL cannot be used, or undefined. Never echoes the URL (it may hold a password). */
export function redisUrlProblem(url: string): string | undefined {
  if (!URL.canParse(url)) return 'is not a URL; use redis://host:port or rediss://host:port';
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'redis:' && protocol !== 'rediss:') return `has the scheme "${protocol}"; use redis:// or rediss://`;
  if (!hostname) return 'names no host';
  return undefined;
}

/** The memory store keeps every session, code and token inside one process. */
export function memoryStoreProblem(store: StoreConfig, production: boolean): Problem | undefined {
  if (store.type !== 'memory' || !production || store.singleInstance === true) return undefined;
  return {
    field: 'store.type',
    message: 'the memory store loses everything at restart and is not shared between replicas: use "redis", or declare a single-instance deployment with store.singleInstance = true',
  };
}
