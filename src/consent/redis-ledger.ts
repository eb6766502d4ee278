// The consent ledger on Redis (OIDC-8): a stream, append-only, each entry sealed with the
// store's sealing keys (TOK-2 applies: records hold account ids, scopes and claims).
//
// Keys (P = store.keyPrefix; `{ledger}` is the Cluster hash tag: the stream and its
// account indexes live in one slot, so an append and its index entry are one script):
//   P{ledger}s        the stream; entry fields: i = record id, r = sealed record
//                     (AES-256-GCM, AAD "ConsentRecord:<record id>").
//   P{ledger}a:A      per-account index, A = lookup("ConsentLedger#account", accountId):
//                     a sorted set of stream ids scored by their time.
// Growth is bounded by consent.retention (issue 12): every append trims the stream
// exactly to the retention horizon (XTRIM MINID, no "~": nothing older survives) and the
// account's own index alike, and gives both keys a TTL of one retention — a stream or an
// index nobody appends to for a whole retention holds only expired records, so Redis
// drops it. An index of an account that appended within the retention may still list
// ids the stream has trimmed; reads skip them, and the index expires with them.
// A failed append (Redis away, timeout) rejects: the consent it records does not proceed.
import { io, Script, settle, type RedisClient, type RedisStoreConfig } from '../storage/redis-client.js';
import type { Sealer } from '../storage/seal.js';
import { LedgerWriteError, matches, type ConsentLedger, type ConsentRecord, type LedgerFilter } from './ledger.js';

// KEYS: stream, account index. ARGV: record id, sealed record, retention ms.
const APPEND = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local retention = tonumber(ARGV[3])
local horizon = now - retention
local id = redis.call('XADD', KEYS[1], '*', 'i', ARGV[1], 'r', ARGV[2])
redis.call('XTRIM', KEYS[1], 'MINID', horizon)
redis.call('PEXPIRE', KEYS[1], retention)
local ms = tonumber(string.match(id, '^(%d+)'))
redis.call('ZADD', KEYS[2], ms, id)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. horizon)
redis.call('PEXPIRE', KEYS[2], retention)
return id
`);

const PAGE = 500;
/** Stream ids are the Redis server's clock; record times the IdP's. Allow for skew. */
const SKEW_MS = 5 * 60 * 1000;

export interface RedisLedgerOptions {
  retention: number;
  /** the ledger closes the connection with itself (its own); else it is the store's */
  ownsConnection?: boolean;
  /** OIDC-8: the store's wait for replicas (store.waitForReplicas), after every append */
  waitForReplicas?: (() => Promise<void>) | undefined;
}

/** `client` comes from redisConnection() (the store's, or the export command's own). */
export function createRedisLedger(config: RedisStoreConfig, sealer: Sealer, options: RedisLedgerOptions, client: RedisClient): ConsentLedger {
  const prefix = config.keyPrefix;
  const stream = `${prefix}{ledger}s`;
  const accountIndex = (accountId: string) => `${prefix}{ledger}a:${sealer.lookup('ConsentLedger#account', accountId)}`;
  const retentionMs = options.retention * 1000;
  client.on('error', () => undefined); // outages surface as failed appends and reads
  // The first call waits (briefly) for the connection; later ones fail fast while Redis is away.
  const connected = settle(client, 3000);

  const open = (fields: string[]): ConsentRecord | undefined => {
    const get = (name: string) => {
      const at = fields.indexOf(name);
      return at >= 0 && at % 2 === 0 ? fields[at + 1] : undefined;
    };
    const id = get('i');
    const sealed = get('r');
    if (!id || !sealed) return undefined;
    return sealer.open(sealed, `ConsentRecord:${id}`) as ConsentRecord;
  };

  return {
    kind: 'redis',
    async append(record) {
      try {
        await connected;
        await io(() => APPEND.run(client, [stream, accountIndex(record.accountId)], [record.id, sealer.seal(record, `ConsentRecord:${record.id}`), retentionMs]));
        // A decision is not taken until a promoted replica would still have its record.
        await options.waitForReplicas?.();
      } catch (err) {
        throw new LedgerWriteError('the consent ledger could not be written', { cause: err });
      }
    },
    async *query(filter: LedgerFilter = {}) {
      await connected;
      const since = filter.since === undefined ? '-' : String(Math.max(0, filter.since - SKEW_MS));
      const until = filter.until === undefined ? '+' : String(filter.until + SKEW_MS);
      if (filter.accountId !== undefined) {
        const ids = await io(() => client.zrangebyscore(accountIndex(filter.accountId ?? ''), since === '-' ? '-inf' : since, until === '+' ? '+inf' : until));
        for (let i = 0; i < ids.length; i += PAGE) {
          const batch = ids.slice(i, i + PAGE);
          const pipeline = client.pipeline();
          for (const id of batch) pipeline.xrange(stream, id, id);
          const results = (await io(() => pipeline.exec())) ?? [];
          for (const [err, entries] of results) {
            if (err) throw err;
            for (const [, fields] of entries as [string, string[]][]) {
              const record = open(fields);
              if (record && matches(record, filter)) yield record;
            }
          }
        }
        return;
      }
      let start = since;
      for (;;) {
        const entries = await io(() => client.xrange(stream, start, until, 'COUNT', PAGE));
        for (const [, fields] of entries) {
          const record = open(fields);
          if (record && matches(record, filter)) yield record;
        }
        if (entries.length < PAGE) return;
        const last = entries[entries.length - 1]?.[0] ?? '';
        start = `(${last}`;
      }
    },
    async close() {
      if (!options.ownsConnection) return;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}
