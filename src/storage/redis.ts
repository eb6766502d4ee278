// The Redis record backend (backend.ts) on ioredis, for standalone, Sentinel and Cluster;
// createRedisStore() seals it (sealedStore, TOK-2). Single use is one atomic
// compare-and-set (TOK-1).
//
// Key layout (P = store.keyPrefix; everything between {} is the Cluster hash tag, so the
// keys a step changes together live in one slot). Every name below is a keyed hash
// (Sealer.lookup, HMAC) — no id, token value, uid, user code or grant id appears.
//
//   P{L}              home of a record, L = lookup(model, id). Holds either
//                       - the sealed payload "v1.<kid>.…" (AES-256-GCM, AAD "<model>:<L>"), or
//                       - a locator "@<G>" when the record belongs to a grant (see below).
//   P{g:G}r:L         a grant's record, G = the grant tag, lookup("#grant", grantId): the sealed payload.
//   P{g:G}i:<model>   the grant index of one model: a sorted set of the record keys
//                     above, scored by expiry (epoch ms, +inf = none). Its TTL is that of
//                     its longest-lived member; expired members are pruned on every add.
//   P{a:A}            a secondary index, A = lookup("Session#uid", uid) or
//                     lookup("DeviceCode#userCode", userCode): holds L of the record.
//
// Records of a grant live in the grant's slot, so "write record + add to index",
// "delete record + remove from index" and revokeByGrantId (delete every member and the
// index) are each one Lua script on one slot. The home key only points there; finding a
// grant's record costs a second GET on Cluster (one script elsewhere). Locators and aliases left behind by a revoke or an
// expiry are harmless (the target is gone, or is checked against the looked-up value),
// carry the same TTL as their record, and are deleted lazily when found dangling.
//
// TTL: every key of a record that expires is written with PX in the same command or
// script; records without expiry are written without one. consume() rewrites the value
// with SET … KEEPTTL inside the compare-and-set script, so no write drops a TTL.
import { GRANTABLE } from './records.js';
import { COMMAND_TIMEOUT_MS, isCluster, redisConnection, settle, storeError, type RedisClient, type RedisStoreConfig } from './redis-client.js';
import { replicaWait } from './redis-replicas.js';
import { CONSUME, DELETE_IF, DESTROY_HOME, DESTROY_INDEXED, LOCATE, LOCATE_ALIAS, REVOKE, UPSERT_GRANTED, UPSERT_INDEXED } from './redis-scripts.js';
import type { RedisAuth } from '../config/load.js';
import type { Found, RecordBackend } from './backend.js';
import type { Sealer } from './seal.js';
import { sealedStore } from './sealed-store.js';
import type { Store } from './store.js';

/** A home key's value that points at the record in its grant's slot: "@<grant tag>". */
const LOCATOR = '@';

function ttlOf(ttlMs: number | undefined): number | undefined {
  return ttlMs === undefined ? undefined : Math.max(1, Math.round(ttlMs));
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

/** The Redis backend, and what the rest of the IdP uses of it besides records. */
export interface RedisBackend extends RecordBackend {
  /** The connection, built by redisConnection() with the deployment's credentials (see Store.redis). */
  readonly client: RedisClient;
}

/** The Redis backend sealed with `sealer`: the store a deployment with store.type "redis" runs. */
export async function createRedisStore(config: RedisStoreConfig, sealer: Sealer, auth: RedisAuth): Promise<Store> {
  const backend = await createRedisBackend(config, auth);
  return { ...sealedStore(backend, sealer), redis: backend.client, waitForReplicas: () => backend.durable() };
}

export async function createRedisBackend(config: RedisStoreConfig, auth: RedisAuth): Promise<RedisBackend & Required<Pick<RecordBackend, 'durable'>>> {
  const prefix = config.keyPrefix;
  if (/[{}]/.test(prefix)) throw new Error('store.keyPrefix must not contain "{" or "}" (they mark Cluster hash tags)');

  const client = redisConnection(config, auth);
  const counters = { unavailable: 0, connectionErrors: 0 };
  // Without a listener ioredis prints every connection error; readiness reports outages.
  client.on('error', () => {
    counters.connectionErrors += 1;
  });
  const replicas = replicaWait(client, config.waitForReplicas);
  // Do not hold start-up hostage to an outage: the store reconnects by itself and
  // ready() tells /readyz the truth meanwhile.
  await settle(client, 3000);

  // On Cluster a script may touch only one slot, so a locator costs a second GET there.
  const cluster = isCluster(client);
  const home = (lookup: string) => `${prefix}{${lookup}}`;
  const grantRecord = (tag: string, lookup: string) => `${prefix}{g:${tag}}r:${lookup}`;
  const grantIndex = (tag: string, model: string) => `${prefix}{g:${tag}}i:${model}`;
  const alias = (lookup: string) => `${prefix}{a:${lookup}}`;

  /**
   * One Redis call as the store sees it: a failure to reach Redis is a StoreUnavailableError
   * (counted for readiness). Takes the call's promise, not a thunk: one `then` per command
   * instead of two async frames (#13.7).
   */
  const fail = (err: unknown): never => {
    const mapped = storeError(err);
    if (mapped.name === 'StoreUnavailableError') counters.unavailable += 1;
    throw mapped;
  };
  const guarded = <T>(call: Promise<T>): Promise<T> => call.then(undefined, fail);

  /** What LOCATE found for `lookup`: {value} at home, or {locator, sealed} in the grant's slot. */
  function located(lookup: string, [first, sealed]: readonly string[]): Found | undefined {
    if (first === undefined) return undefined;
    if (sealed === undefined) return { value: first, at: home(lookup) };
    return { value: sealed, at: grantRecord(first.slice(LOCATOR.length), lookup) };
  }

  /** Where the record of `lookup` is (`at`) and its sealed value, or undefined. */
  async function locate(lookup: string): Promise<Found | undefined> {
    const homeKey = home(lookup);
    if (!cluster) {
      const found = (await guarded(LOCATE.run(client, [homeKey], [prefix, lookup]))) as string[] | null;
      return found ? located(lookup, found) : undefined;
    }
    const value = await guarded(client.get(homeKey));
    if (value === null) return undefined;
    if (!value.startsWith(LOCATOR)) return { value, at: homeKey };
    const key = grantRecord(value.slice(LOCATOR.length), lookup);
    const sealed = await guarded(client.get(key));
    if (sealed === null) {
      // The grant was revoked or the record expired: drop the dangling locator.
      await guarded(DELETE_IF.run(client, [homeKey], [value]));
      return undefined;
    }
    return { value: sealed, at: key };
  }

  const masters = () => (isCluster(client) ? client.nodes('master') : [client]);

  return {
    kind: 'redis',
    client,
    get: (_model, lookup) => locate(lookup),

    async getMany(wanted) {
      if (cluster || wanted.length < 2) return Promise.all(wanted.map(({ key }) => locate(key)));
      // #13.7: one round trip: every LOCATE in one pipeline (each still its own script).
      const batch = client.pipeline();
      for (const { key } of wanted) batch.evalsha(LOCATE.sha, 1, home(key), prefix, key);
      const replies = (await guarded(batch.exec())) ?? [];
      return Promise.all(
        wanted.map(async ({ key }, i) => {
          const [err, reply] = replies[i] ?? [new Error('no reply')];
          // A Redis that lost its scripts (restart, SCRIPT FLUSH): this one alone, as get() would.
          if (err?.message.startsWith('NOSCRIPT')) return locate(key);
          if (err) return fail(err);
          return reply ? located(key, reply as string[]) : undefined;
        }),
      );
    },

    async getByAlias(_model, aliasLookup) {
      if (!cluster) {
        // One round trip: the alias, the home key and the grant's slot in one script.
        const hit = (await guarded(LOCATE_ALIAS.run(client, [alias(aliasLookup)], [prefix]))) as string[] | null;
        const [target, ...rest] = hit ?? [];
        const found = target === undefined ? undefined : located(target, rest);
        return target !== undefined && found ? { key: target, found } : undefined;
      }
      const target = await guarded(client.get(alias(aliasLookup)));
      if (target === null) return undefined;
      const found = await locate(target);
      return found ? { key: target, found } : undefined;
    },

    async put(model, lookup, sealed, { ttlMs, grant, aliases = [], ifAbsent }) {
      const homeKey = home(lookup);
      const ttl = ttlOf(ttlMs);
      if (ifAbsent) {
        const set = await guarded(ttl === undefined ? client.set(homeKey, sealed, 'NX') : client.set(homeKey, sealed, 'PX', ttl, 'NX'));
        return set !== null;
      }

      if (!cluster && grant !== undefined) {
        // One round trip: home, the grant's record, its index and its aliases in one script.
        await guarded(UPSERT_GRANTED.run(client, [homeKey, grantRecord(grant, lookup), grantIndex(grant, model), ...aliases.map(alias)], [sealed, ttl ?? '', LOCATOR + grant, prefix, lookup, model]));
        return true;
      }
      if (!cluster && !GRANTABLE.has(model) && aliases.length > 0) {
        // One round trip: the record and its aliases in one pipeline (one keyspace).
        const batch = client.pipeline();
        const set = (key: string, value: string) => (ttl === undefined ? batch.set(key, value) : batch.set(key, value, 'PX', ttl));
        set(homeKey, sealed);
        for (const aliasLookup of aliases) set(alias(aliasLookup), lookup);
        const replies = await guarded(batch.exec());
        const failed = replies?.find(([err]) => err)?.[0];
        if (failed) fail(failed);
        return true;
      }

      const writes: Promise<unknown>[] = [];
      let previous: Promise<string | null> | undefined;
      if (grant !== undefined) {
        writes.push(guarded(UPSERT_INDEXED.run(client, [grantRecord(grant, lookup), grantIndex(grant, model)], [sealed, ttl ?? ''])));
        const locator = LOCATOR + grant;
        previous = guarded(ttl === undefined ? client.set(homeKey, locator, 'GET') : client.set(homeKey, locator, 'PX', ttl, 'GET'));
      } else if (GRANTABLE.has(model)) {
        // It may have lived in a grant's slot before (never in practice, but be exact).
        previous = guarded(ttl === undefined ? client.set(homeKey, sealed, 'GET') : client.set(homeKey, sealed, 'PX', ttl, 'GET'));
      } else {
        writes.push(guarded(ttl === undefined ? client.set(homeKey, sealed) : client.set(homeKey, sealed, 'PX', ttl)));
      }
      for (const aliasLookup of aliases) {
        const key = alias(aliasLookup);
        writes.push(guarded(ttl === undefined ? client.set(key, lookup) : client.set(key, lookup, 'PX', ttl)));
      }
      const [old] = await Promise.all([previous, ...writes]);
      if (typeof old === 'string' && old.startsWith(LOCATOR) && old !== LOCATOR + (grant ?? '')) {
        const oldTag = old.slice(LOCATOR.length);
        await guarded(DESTROY_INDEXED.run(client, [grantRecord(oldTag, lookup), grantIndex(oldTag, model)], []));
      }
      return true;
    },

    async consume(_model, lookup, seen, next) {
      // TOK-1: one atomic compare-and-set where the value was found (home or grant slot).
      const won = await guarded(CONSUME.run(client, [seen.at ?? home(lookup)], [seen.value, next]));
      return won === 1;
    },

    async delete(model, lookup, aliases = []) {
      const homeKey = home(lookup);
      if (!cluster) {
        // One round trip: aliases, the grant's slot and home in one script.
        await guarded(DESTROY_HOME.run(client, [homeKey, ...aliases.map(alias)], [lookup, prefix, model, GRANTABLE.has(model) ? '1' : '']));
        return;
      }
      for (const aliasLookup of aliases) await guarded(DELETE_IF.run(client, [alias(aliasLookup)], [lookup]));
      if (GRANTABLE.has(model)) {
        const value = await guarded(client.get(homeKey));
        if (value?.startsWith(LOCATOR)) {
          const tag = value.slice(LOCATOR.length);
          await guarded(DESTROY_INDEXED.run(client, [grantRecord(tag, lookup), grantIndex(tag, model)], []));
        }
      }
      await guarded(client.del(homeKey));
    },

    async revoke(grant, models) {
      await guarded(REVOKE.run(client, models.map((m) => grantIndex(grant, m)), []));
    },

    durable: () => guarded(replicas.wait()),

    async ready() {
      if (client.status !== 'ready') return false;
      const nodes = masters();
      if (nodes.length === 0) return false;
      return withTimeout(
        Promise.all(nodes.map((node) => node.ping())).then((answers) => answers.every((a) => a === 'PONG')),
        COMMAND_TIMEOUT_MS,
        false,
      );
    },
    async close() {
      replicas.stop();
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
    stats: () => ({ ...counters, connected: client.status === 'ready' ? 1 : 0 }),
    async dump() {
      const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
      const out: string[] = [];
      for (const node of masters()) {
        let cursor = '0';
        do {
          const [next, keys] = await guarded(node.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
          cursor = next;
          for (const key of keys) {
            out.push(key);
            const type = await guarded(node.type(key));
            if (type === 'string') out.push((await guarded(node.get(key))) ?? '');
            else if (type === 'zset') out.push(...(await guarded(node.zrange(key, '0', '-1'))));
            else if (type === 'set') out.push(...(await guarded(node.smembers(key))));
            else if (type === 'hash') out.push(...Object.entries(await guarded(node.hgetall(key))).flat());
            else if (type === 'list') out.push(...(await guarded(node.lrange(key, 0, -1))));
          }
        } while (cursor !== '0');
      }
      return out;
    },
  };
}
