// The Redis store (issue 4): an oidc-provider adapter factory on ioredis, for standalone,
// Sentinel and Cluster. Sealed at rest (TOK-2), single use in one atomic step (TOK-1).
//
// Key layout (P = store.keyPrefix; everything between {} is the Cluster hash tag, so the
// keys a step changes together live in one slot). Every name below is a keyed hash
// (Sealer.lookup, HMAC) — no id, token value, uid, user code or grant id appears.
//
//   P{L}              home of a record, L = lookup(model, id). Holds either
//                       - the sealed payload "v1.<kid>.…" (AES-256-GCM, AAD "<model>:<L>"), or
//                       - a locator "@<G>" when the record belongs to a grant (see below).
//   P{g:G}r:L         a grant's record, G = lookup("#grant", grantId): the sealed payload.
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
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { GRANTABLE, GRANT_MODEL, INSERT_ONLY, SINGLE_USE, alreadyConsumed, consumedRecord, epochNow, replayDetected } from './records.js';
import { COMMAND_TIMEOUT_MS, io, isCluster, redisConnection, settle, type RedisStoreConfig } from './redis-client.js';
import { replicaWait } from './redis-replicas.js';
import { CONSUME, DELETE_IF, DESTROY_INDEXED, LOCATE, REVOKE, UPSERT_INDEXED } from './redis-scripts.js';
import type { RedisAuth } from '../config/load.js';
import type { Sealer } from './seal.js';
import type { Store } from './store.js';

/** Secondary indexes the library reads: Session.findByUid, DeviceCode.findByUserCode. */
const ALIASES: Record<string, 'uid' | 'userCode'> = { Session: 'uid', DeviceCode: 'userCode' };

/** A home key's value that points at the record in its grant's slot: "@<grant tag>". */
const LOCATOR = '@';

interface Located {
  /** the key holding the sealed value */
  key: string;
  sealed: string;
  /** the grant tag when the record lives in a grant's slot */
  tag?: string | undefined;
}

function ttlMs(expiresIn: number | undefined): number | undefined {
  return typeof expiresIn === 'number' ? Math.max(1, Math.round(expiresIn * 1000)) : undefined;
}

function withTimeout<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise.catch(() => fallback), timeout]).finally(() => clearTimeout(timer));
}

export async function createRedisStore(config: RedisStoreConfig, sealer: Sealer, auth: RedisAuth): Promise<Store> {
  const prefix = config.keyPrefix;
  if (/[{}]/.test(prefix)) throw new Error('store.keyPrefix must not contain "{" or "}" (they mark Cluster hash tags)');

  const client = redisConnection(config, auth);
  const counters = { upserts: 0, finds: 0, consumes: 0, consumeConflicts: 0, replayRevokes: 0, destroys: 0, revokes: 0, replaysRefused: 0, unavailable: 0, connectionErrors: 0 };
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
  const grantTag = (grantId: string) => sealer.lookup('#grant', grantId);

  async function guarded<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await io(call);
    } catch (err) {
      if (err instanceof Error && err.name === 'StoreUnavailableError') counters.unavailable += 1;
      throw err;
    }
  }

  /** Where the record of `lookup` is and its sealed value, or undefined. */
  async function locate(lookup: string): Promise<Located | undefined> {
    const homeKey = home(lookup);
    if (!cluster) {
      const found = (await guarded(() => LOCATE.run(client, [homeKey], [prefix, lookup]))) as [string, string?] | null;
      if (!found) return undefined;
      const [first, sealed] = found;
      if (sealed === undefined) return { key: homeKey, sealed: first };
      const tag = first.slice(LOCATOR.length);
      return { key: grantRecord(tag, lookup), sealed, tag };
    }
    const value = await guarded(() => client.get(homeKey));
    if (value === null) return undefined;
    if (!value.startsWith(LOCATOR)) return { key: homeKey, sealed: value };
    const tag = value.slice(LOCATOR.length);
    const key = grantRecord(tag, lookup);
    const sealed = await guarded(() => client.get(key));
    if (sealed === null) {
      // The grant was revoked or the record expired: drop the dangling locator.
      await guarded(() => DELETE_IF.run(client, [homeKey], [value]));
      return undefined;
    }
    return { key, sealed, tag };
  }

  /**
   * TOK-1: what the library's revoke(ctx, grantId) does on a replay: every token of the
   * grant (one script, the grant's slot) and the grant itself.
   */
  async function revokeGrant(grantId: unknown): Promise<void> {
    if (typeof grantId !== 'string' || !grantId) return;
    counters.replayRevokes += 1;
    const tag = grantTag(grantId);
    await Promise.all([
      guarded(() => REVOKE.run(client, [...GRANTABLE].map((m) => grantIndex(tag, m)), [])),
      guarded(() => client.del(home(sealer.lookup(GRANT_MODEL, grantId)))),
    ]);
  }

  function adapter(model: string): Adapter {
    const lookupOf = (id: string) => sealer.lookup(model, id);
    const aad = (lookup: string) => `${model}:${lookup}`;
    const aliasField = ALIASES[model];
    const aliasKey = (value: string) => alias(sealer.lookup(`${model}#${aliasField ?? ''}`, value));

    const open = (lookup: string, located: Located | undefined): AdapterPayload | undefined =>
      located ? (sealer.open(located.sealed, aad(lookup)) as AdapterPayload) : undefined;

    async function findByAlias(field: 'uid' | 'userCode', value: string): Promise<AdapterPayload | undefined> {
      if (aliasField !== field) return undefined;
      counters.finds += 1;
      const target = await guarded(() => client.get(aliasKey(value)));
      if (target === null) return undefined;
      const payload = open(target, await locate(target));
      // A stale alias (the record since took another uid/user code) finds nothing.
      return payload?.[field] === value ? payload : undefined;
    }

    return {
      async upsert(id, payload, expiresIn) {
        counters.upserts += 1;
        const lookup = lookupOf(id);
        const homeKey = home(lookup);
        const sealed = sealer.seal(payload, aad(lookup));
        const ttl = ttlMs(expiresIn);

        if (INSERT_ONLY.has(model)) {
          const set = await guarded(() =>
            ttl === undefined ? client.set(homeKey, sealed, 'NX') : client.set(homeKey, sealed, 'PX', ttl, 'NX'),
          );
          if (set === null) {
            counters.replaysRefused += 1;
            throw replayDetected();
          }
          await guarded(() => replicas.wait());
          return;
        }

        const writes: Promise<unknown>[] = [];
        let previous: Promise<string | null> | undefined;
        const tag = GRANTABLE.has(model) && payload.grantId ? grantTag(payload.grantId) : undefined;
        if (tag !== undefined) {
          writes.push(guarded(() => UPSERT_INDEXED.run(client, [grantRecord(tag, lookup), grantIndex(tag, model)], [sealed, ttl ?? ''])));
          const locator = LOCATOR + tag;
          previous = guarded(() => (ttl === undefined ? client.set(homeKey, locator, 'GET') : client.set(homeKey, locator, 'PX', ttl, 'GET')));
        } else if (GRANTABLE.has(model)) {
          // It may have lived in a grant's slot before (never in practice, but be exact).
          previous = guarded(() => (ttl === undefined ? client.set(homeKey, sealed, 'GET') : client.set(homeKey, sealed, 'PX', ttl, 'GET')));
        } else {
          writes.push(guarded(() => (ttl === undefined ? client.set(homeKey, sealed) : client.set(homeKey, sealed, 'PX', ttl))));
        }
        const aliasValue = aliasField ? payload[aliasField] : undefined;
        if (typeof aliasValue === 'string' && aliasValue) {
          const key = aliasKey(aliasValue);
          writes.push(guarded(() => (ttl === undefined ? client.set(key, lookup) : client.set(key, lookup, 'PX', ttl))));
        }
        const [old] = await Promise.all([previous, ...writes]);
        if (typeof old === 'string' && old.startsWith(LOCATOR) && old !== LOCATOR + (tag ?? '')) {
          const oldTag = old.slice(LOCATOR.length);
          await guarded(() => DESTROY_INDEXED.run(client, [grantRecord(oldTag, lookup), grantIndex(oldTag, model)], []));
        }
        // TOK-4: a rotated refresh token (or a new code) must not be lost in a failover.
        if (SINGLE_USE.has(model)) await guarded(() => replicas.wait());
      },

      async find(id) {
        counters.finds += 1;
        const lookup = lookupOf(id);
        return open(lookup, await locate(lookup));
      },

      findByUid: (uid) => findByAlias('uid', uid),
      findByUserCode: (userCode) => findByAlias('userCode', userCode),

      async consume(id) {
        counters.consumes += 1;
        const lookup = lookupOf(id);
        const located = await locate(lookup);
        const payload = open(lookup, located);
        // The library found it a moment ago: gone now means used and revoked meanwhile.
        if (!located || !payload) throw alreadyConsumed(model);
        if (payload.consumed) {
          await revokeGrant(payload.grantId);
          throw alreadyConsumed(model);
        }
        const next = sealer.seal(consumedRecord(model, payload, epochNow()), aad(lookup));
        // TOK-1: one atomic compare-and-set; of parallel consumes exactly one sees its read
        // value still in place.
        const won = await guarded(() => CONSUME.run(client, [located.key], [located.sealed, next]));
        if (won !== 1) {
          counters.consumeConflicts += 1;
          await revokeGrant(payload.grantId);
          throw alreadyConsumed(model);
        }
        // TOK-1: the use is acknowledged only once a promoted replica would know it.
        await guarded(() => replicas.wait());
      },

      async destroy(id) {
        counters.destroys += 1;
        const lookup = lookupOf(id);
        const homeKey = home(lookup);
        if (aliasField) {
          const payload = open(lookup, await locate(lookup));
          const aliasValue = payload?.[aliasField];
          if (typeof aliasValue === 'string' && aliasValue) {
            const key = aliasKey(aliasValue);
            await guarded(() => DELETE_IF.run(client, [key], [lookup]));
          }
        }
        if (GRANTABLE.has(model)) {
          const value = await guarded(() => client.get(homeKey));
          if (value?.startsWith(LOCATOR)) {
            const tag = value.slice(LOCATOR.length);
            await guarded(() => DESTROY_INDEXED.run(client, [grantRecord(tag, lookup), grantIndex(tag, model)], []));
          }
        }
        await guarded(() => client.del(homeKey));
        // A used PAR request URI or initial access token must stay gone after a failover.
        if (SINGLE_USE.has(model)) await guarded(() => replicas.wait());
      },

      async revokeByGrantId(grantId) {
        counters.revokes += 1;
        if (!GRANTABLE.has(model)) return;
        const index = grantIndex(grantTag(grantId), model);
        await guarded(() => REVOKE.run(client, [index], []));
      },
    };
  }

  const masters = () => (isCluster(client) ? client.nodes('master') : [client]);

  return {
    kind: 'redis',
    redis: client,
    waitForReplicas: () => guarded(() => replicas.wait()),
    adapter,
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
          const [next, keys] = await guarded(() => node.scan(cursor, 'MATCH', pattern, 'COUNT', 500));
          cursor = next;
          for (const key of keys) {
            out.push(key);
            const type = await guarded(() => node.type(key));
            if (type === 'string') out.push((await guarded(() => node.get(key))) ?? '');
            else if (type === 'zset') out.push(...(await guarded(() => node.zrange(key, '0', '-1'))));
            else if (type === 'set') out.push(...(await guarded(() => node.smembers(key))));
            else if (type === 'hash') out.push(...Object.entries(await guarded(() => node.hgetall(key))).flat());
            else if (type === 'list') out.push(...(await guarded(() => node.lrange(key, 0, -1))));
          }
        } while (cursor !== '0');
      }
      return out;
    },
  };
}
