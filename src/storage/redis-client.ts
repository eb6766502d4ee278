// Every ioredis connection of the IdP and its commands (store, consent ledger, login
// throttle, consent export, initial access tokens) comes from redisConnection(): one place
// that applies the URL, ACL user, password, Sentinel password and TLS settings, so no
// connection can be opened without the deployment's credentials. Also: options that
// fail fast while Redis is away and reconnect by themselves, the mapping of connection
// failures to StoreUnavailableError (503 temporarily_unavailable), and Lua scripts run
// with EVALSHA (EVAL when the server has not cached them yet).
import { createHash } from 'node:crypto';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisAuth } from '../config/load.js';
import type { StoreConfig } from '../config/schema.js';
import { StoreUnavailableError } from './store.js';

export type RedisStoreConfig = Extract<StoreConfig, { type: 'redis' }>;
export type RedisClient = Redis | Cluster;

/** A command that has not answered within this is treated as an outage. */
export const COMMAND_TIMEOUT_MS = 1500;
const CONNECT_TIMEOUT_MS = 2000;

// Fail fast: no offline queue (a command while disconnected rejects at once), no retry of
// a command whose connection dropped (a retried compare-and-set could report a lost race
// for the write that actually won), a per-command timeout. Reconnection is automatic and
// never gives up; the delay is capped so a restarted Redis is picked up within ~1 s.
const retryStrategy = (times: number): number => Math.min(100 * times, 1000);

const connectionOptions = {
  connectTimeout: CONNECT_TIMEOUT_MS,
  commandTimeout: COMMAND_TIMEOUT_MS,
  maxRetriesPerRequest: 0,
  enableReadyCheck: true,
  // After a failover the old master answers writes with READONLY: reconnect, so the
  // Sentinel connector finds the new master (the failed command itself is a 503).
  reconnectOnError: (err: Error) => err.message.startsWith('READONLY'),
  // Keys are prefixed by the store itself: ioredis' keyPrefix would not reach keys that
  // Lua scripts read from index members.
} satisfies RedisOptions;

/** The URL without its credentials when the deployment file sets its own (they win). */
function urlFor(url: string, access: RedisOptions): string {
  if (access.username === undefined && access.password === undefined) return url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url; // a host:port form without credentials: ioredis parses it
  }
}

/**
 * A new connection with the deployment's Redis settings. `auth` is required on purpose: a
 * connection opened without the deployment's password fails only at the first command
 * (issue 12: a ledger without credentials broke every sign-in while /readyz said ready).
 */
export function redisConnection(config: RedisStoreConfig, auth: RedisAuth): RedisClient {
  // Credentials and TLS for Redis itself; a redis(s):// URL may carry its own instead.
  const access: RedisOptions = {
    ...(config.username ? { username: config.username } : {}),
    ...(auth.password ? { password: auth.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
  if (config.cluster?.length) {
    return new Cluster(config.cluster, {
      enableOfflineQueue: false,
      clusterRetryStrategy: retryStrategy,
      slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
      redisOptions: { ...connectionOptions, ...access },
    });
  }
  const common: RedisOptions = { ...connectionOptions, ...access, enableOfflineQueue: false, retryStrategy };
  if (config.sentinels?.length) {
    if (!config.name) throw new Error('store.sentinels needs store.name (the Sentinel master group name)');
    return new Redis({
      ...common,
      sentinels: config.sentinels,
      name: config.name,
      ...(auth.sentinelPassword ? { sentinelPassword: auth.sentinelPassword } : {}),
      ...(config.tls ? { sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    });
  }
  if (!config.url) {
    throw new Error('store.type "redis" needs store.url (or REDIS_URL), store.sentinels with store.name, or store.cluster');
  }
  // ioredis lets a URL's credentials win over the options; the deployment file's win here.
  return new Redis(urlFor(config.url, access), common);
}

export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/** Resolves when the client is connected, or after `timeoutMs` (the client keeps trying). */
export function settle(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    client.once('ready', done);
  });
}

// Server replies that mean "not now" rather than "your command is wrong". OOM: a full
// Redis under `maxmemory-policy noeviction` refuses writes; MISCONF: it cannot persist.
const TRANSIENT_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|BUSY|NOREPLICAS|MOVED|ASK|OOM|MISCONF)\b/;

/**
 * What a failed Redis call throws: a failure to reach Redis becomes StoreUnavailableError
 * (503 temporarily_unavailable); a genuine command error (a bug) stays what it is. The
 * message of the cause (host, port) is kept as the cause only, never in the response.
 */
export function storeError(err: unknown): Error {
  if (err instanceof StoreUnavailableError) return err;
  if (err instanceof Error && err.name === 'ReplyError' && !TRANSIENT_REPLY.test(err.message)) return err;
  return new StoreUnavailableError('redis unreachable', { cause: err });
}

/** Runs one Redis call; a failure to reach Redis becomes StoreUnavailableError (storeError). */
export async function io<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeError(err);
  }
}

/** A Lua script, by SHA1; loaded on first use (and again after a SCRIPT FLUSH or restart). */
export class Script {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await client.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err;
      return client.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
