// The store the deployment names: a Redis URL that Redis clients can use, the memory
// store only where one process serves everyone, and a backend module (plugins.store) only
// where what it cannot share is accepted.
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

/**
 * A backend module (plugins.store) replaces the memory store. The IdP cannot tell whether
 * it is shared or durable; what it knows is that the consent ledger (OIDC-8) and the
 * sign-in and decision counts are shared only through the Redis store, so with a module
 * they stay in this one process and go at restart.
 */
export function storeModuleProblems(store: StoreConfig, production: boolean): Problem[] {
  if (store.type === 'redis') {
    return [{ field: 'plugins.store', message: 'names a store backend module, but store.type is "redis" (or REDIS_URL is set): the module replaces the store, so name one or the other' }];
  }
  const problems: Problem[] = [];
  if (store.maxEntries !== undefined) {
    problems.push({ field: 'store.maxEntries', message: 'bounds the memory store only; with a plugins.store backend module the module bounds itself: remove it' });
  }
  if (production && store.singleInstance !== true) {
    problems.push({
      field: 'store.singleInstance',
      message: 'a store backend module keeps the library\'s records, but the consent ledger and the sign-in and consent counts are shared between replicas only through the Redis store: with a module they stay in this process and the ledger is lost at restart. Declare store.singleInstance = true to accept that (one replica), or use store.type "redis"',
      rule: 'OIDC-8',
    });
  }
  return problems;
}

/** The memory store keeps every session, code and token inside one process. */
export function memoryStoreProblem(store: StoreConfig, production: boolean): Problem | undefined {
  if (store.type !== 'memory' || !production || store.singleInstance === true) return undefined;
  return {
    field: 'store.type',
    message: 'the memory store loses everything at restart and is not shared between replicas: use "redis", or declare a single-instance deployment with store.singleInstance = true',
  };
}
