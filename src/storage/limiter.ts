// Counters that every replica must share (login attempts, requests per address, consent
// decisions): rate-limiter-flexible on the Redis store's own connection, so one INCR
// script counts for all replicas; with the memory store, one process is all there is.
import { createHmac } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config/load.js';
import type { RedisClient } from './redis-client.js';
import type { Store } from './store.js';

export interface CounterBackend {
  /** the Redis store's connection; absent: counted in this process */
  redis?: RedisClient | undefined;
  /** the store's key prefix, so counters sit beside the store's records */
  keyPrefix?: string | undefined;
  /** keys the hashes that stand in for addresses and account ids (counterKey) */
  lookupKey?: Buffer | undefined;
}

/** The deployment's counters: on the Redis store's connection beside its keys, else in this process. */
export function countersFor(config: Config, store: Store): CounterBackend & { lookupKey: Buffer } {
  return { redis: store.redis, keyPrefix: config.store.type === 'redis' ? config.store.keyPrefix : '', lookupKey: config.secrets.lookupKey };
}

export interface CounterOptions {
  name: string;
  points: number;
  /** seconds */
  duration: number;
  /** seconds a key stays refused once over the limit (0: only until the window moves on) */
  blockDuration?: number;
}

export function createCounter(backend: CounterBackend, options: CounterOptions): RateLimiterAbstract {
  const settings = {
    points: options.points,
    duration: options.duration,
    blockDuration: options.blockDuration ?? 0,
    keyPrefix: `${backend.keyPrefix ?? ''}${options.name}`,
  };
  return backend.redis ? new RateLimiterRedis({ ...settings, storeClient: backend.redis }) : new RateLimiterMemory(settings);
}

/** TOK-2: counter keys name no address or account in clear; a keyed hash stands in. */
export function counterKey(lookupKey: Buffer | undefined, kind: string, value: string): string {
  if (!lookupKey) return value;
  return createHmac('sha256', lookupKey).update(`counter:${kind}:${value}`).digest('base64url').slice(0, 32);
}
