// The embedded store: correct and bounded, sealed like the Redis store (TOK-2).
// Unlike the library's development adapter it never evicts a live record: entries go
// when they expire, and a full store refuses writes with 503 temporarily_unavailable
// (and /readyz says it is full) instead of dropping grants.
//
// Expiry: a min-heap of (expiry, key) finds expired records in O(log n) each, so neither
// a write to a full store nor the periodic sweep walks the whole map. Heap items are
// checked against the entry when popped (a rewritten or deleted record leaves a stale
// item); the heap is rebuilt from the entries when stale items outnumber live ones.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import TinyQueue from 'tinyqueue';
import { GRANTABLE, GRANT_MODEL, INSERT_ONLY, alreadyConsumed, consumedRecord, epochNow, replayDetected } from './records.js';
import type { Sealer } from './seal.js';
import { StoreUnavailableError, type Store } from './store.js';

interface Entry {
  sealed: string;
  /** epoch ms; undefined = no expiry */
  expiresAt: number | undefined;
  grantIndex?: string | undefined;
  secondary?: string[] | undefined;
}

export interface MemoryStoreOptions {
  maxEntries?: number;
  sweepIntervalMs?: number;
}

interface Expiry {
  at: number;
  key: string;
}

/** Heap items beyond this many per live entry (plus a floor) trigger a rebuild. */
const STALE_FACTOR = 2;
const STALE_FLOOR = 10_000;
/** Expired records reclaimed per write, so expiry keeps pace without a timer. */
const RECLAIM_PER_WRITE = 4;

/** The memory store is at store.maxEntries live records. */
export class StoreFullError extends StoreUnavailableError {
  constructor(maxEntries: number) {
    super(`memory store full (${maxEntries} live records, store.maxEntries)`);
    this.name = 'StoreFullError';
  }
}

export function createMemoryStore(sealer: Sealer, options: MemoryStoreOptions = {}): Store {
  const { maxEntries = 1_000_000, sweepIntervalMs = 30_000 } = options;
  const entries = new Map<string, Entry>();
  const grants = new Map<string, Set<string>>();
  const aliases = new Map<string, { key: string; expiresAt: number | undefined }>();
  const byExpiry = () => new TinyQueue<Expiry>([], (a, b) => a.at - b.at);
  let expiries = byExpiry();
  let refusals = 0;

  const live = (expiresAt: number | undefined, now = Date.now()) => expiresAt === undefined || expiresAt > now;

  function remove(key: string): void {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    if (entry.grantIndex) {
      const members = grants.get(entry.grantIndex);
      members?.delete(key);
      if (members?.size === 0) grants.delete(entry.grantIndex);
    }
    for (const alias of entry.secondary ?? []) {
      if (aliases.get(alias)?.key === key) aliases.delete(alias);
    }
  }

  /** Removes up to `limit` expired records, oldest expiry first; how many went. */
  function reclaim(limit = Infinity, now = Date.now()): number {
    let removed = 0;
    for (let next = expiries.peek(); next && next.at <= now && removed < limit; next = expiries.peek()) {
      expiries.pop();
      // A stale item: the record was deleted, or rewritten with another expiry.
      if (entries.get(next.key)?.expiresAt !== next.at) continue;
      remove(next.key);
      removed += 1;
    }
    if (expiries.length > STALE_FACTOR * entries.size + STALE_FLOOR) {
      const rebuilt = byExpiry();
      for (const [key, entry] of entries) if (entry.expiresAt !== undefined) rebuilt.push({ at: entry.expiresAt, key });
      expiries = rebuilt;
    }
    return removed;
  }

  const sweep = () => reclaim();

  const timer = setInterval(sweep, sweepIntervalMs);
  timer.unref();

  function read(model: string, key: string): AdapterPayload | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (!live(entry.expiresAt)) {
      remove(key);
      return undefined;
    }
    return sealer.open(entry.sealed, `${model}:${key}`) as AdapterPayload;
  }

  const grantIndexOf = (model: string, grantId: string) => sealer.lookup(`${model}#grant`, grantId);

  function revokeIndex(index: string): void {
    for (const key of [...(grants.get(index) ?? [])]) remove(key);
    grants.delete(index);
  }

  /** TOK-1: what the library's revoke(ctx, grantId) does on a replay: every token of the grant, and the grant. */
  function revokeGrant(grantId: unknown): void {
    if (typeof grantId !== 'string' || !grantId) return;
    for (const model of GRANTABLE) revokeIndex(grantIndexOf(model, grantId));
    remove(sealer.lookup(GRANT_MODEL, grantId));
  }

  function adapter(model: string): Adapter {
    const keyOf = (id: string) => sealer.lookup(model, id);
    const aliasOf = (kind: string, value: string) => sealer.lookup(`${model}#${kind}`, value);

    return {
      async upsert(id, payload, expiresIn) {
        const key = keyOf(id);
        // A replay-detection id is written once: the library's find-then-save in
        // ReplayDetection.unique() is not atomic across two parallel requests.
        const existing = entries.get(key);
        if (INSERT_ONLY.has(model) && existing && live(existing.expiresAt)) return Promise.reject(replayDetected());
        const now = Date.now();
        reclaim(RECLAIM_PER_WRITE, now);
        if (!entries.has(key) && entries.size >= maxEntries && reclaim(Infinity, now) === 0) {
          // 503 temporarily_unavailable: a readable page for people, /readyz says why.
          refusals += 1;
          return Promise.reject(new StoreFullError(maxEntries));
        }
        remove(key);
        const expiresAt = typeof expiresIn === 'number' ? now + expiresIn * 1000 : undefined;
        if (expiresAt !== undefined) expiries.push({ at: expiresAt, key });
        const grantIndex = GRANTABLE.has(model) && payload.grantId ? aliasOf('grant', payload.grantId) : undefined;
        const secondary: string[] = [];
        if (payload.uid) secondary.push(aliasOf('uid', payload.uid));
        if (payload.userCode) secondary.push(aliasOf('userCode', payload.userCode));
        entries.set(key, { sealed: sealer.seal(payload, `${model}:${key}`), expiresAt, grantIndex, secondary });
        for (const alias of secondary) aliases.set(alias, { key, expiresAt });
        if (grantIndex) {
          const members = grants.get(grantIndex) ?? new Set<string>();
          members.add(key);
          grants.set(grantIndex, members);
        }
        return Promise.resolve();
      },
      find: (id) => Promise.resolve(read(model, keyOf(id))),
      findByUid: (uid) => {
        const target = aliases.get(aliasOf('uid', uid));
        return Promise.resolve(target ? read(model, target.key) : undefined);
      },
      findByUserCode: (userCode) => {
        const target = aliases.get(aliasOf('userCode', userCode));
        return Promise.resolve(target ? read(model, target.key) : undefined);
      },
      consume(id) {
        // Synchronous from read to write: nothing else runs in between (TOK-1).
        const key = keyOf(id);
        const payload = read(model, key);
        const entry = entries.get(key);
        // The library found it a moment ago: gone now means used and revoked meanwhile.
        if (!payload || !entry) return Promise.reject(alreadyConsumed(model));
        if (payload.consumed) {
          revokeGrant(payload.grantId);
          return Promise.reject(alreadyConsumed(model));
        }
        entry.sealed = sealer.seal(consumedRecord(model, payload, epochNow()), `${model}:${key}`);
        return Promise.resolve();
      },
      destroy(id) {
        remove(keyOf(id));
        return Promise.resolve();
      },
      revokeByGrantId(grantId) {
        revokeIndex(aliasOf('grant', grantId));
        return Promise.resolve();
      },
    };
  }

  return {
    kind: 'memory',
    adapter,
    ready: () => {
      reclaim();
      return Promise.resolve(entries.size < maxEntries);
    },
    notReadyReason: () => (entries.size >= maxEntries ? `memory store full: ${entries.size} live records of store.maxEntries ${maxEntries}` : undefined),
    close: () => {
      clearInterval(timer);
      return Promise.resolve();
    },
    stats: () => ({ entries: entries.size, grantIndexes: grants.size, aliases: aliases.size, expiryQueue: expiries.length, refusedFull: refusals }),
    sweep,
    dump: () =>
      Promise.resolve([
        ...[...entries].flatMap(([key, entry]) => [key, entry.sealed, entry.grantIndex ?? '', ...(entry.secondary ?? [])]),
        ...[...grants].flatMap(([index, members]) => [index, ...members]),
        ...[...aliases].flatMap(([alias, target]) => [alias, target.key]),
      ]),
  };
}
