// The embedded record backend (backend.ts): correct and bounded; sealedStore() seals what
// it keeps like the Redis store's (TOK-2). Unlike the library's development adapter it never evicts a live record: entries go
// when they expire, and a full store refuses writes with 503 temporarily_unavailable
// (and /readyz says it is full) instead of dropping grants.
//
// Expiry: a min-heap of (expiry, key) finds expired records in O(log n) each, so neither
// a write to a full store nor the periodic sweep walks the whole map. Heap items are
// checked against the entry when popped (a rewritten or deleted record leaves a stale
// item); the heap is rebuilt from the entries when stale items outnumber live ones.
import TinyQueue from 'tinyqueue';
import type { Found, PutOptions, RecordBackend } from './backend.js';
import type { Sealer } from './seal.js';
import { sealedStore } from './sealed-store.js';
import { StoreUnavailableError, type Store } from './store.js';

interface Entry {
  value: string;
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

/** The memory backend sealed with `sealer`: the store a deployment with store.type "memory" runs. */
export function createMemoryStore(sealer: Sealer, options: MemoryStoreOptions = {}): Store {
  return sealedStore(createMemoryBackend(options), sealer);
}

export function createMemoryBackend(options: MemoryStoreOptions = {}): RecordBackend {
  const { maxEntries = 1_000_000, sweepIntervalMs = 30_000 } = options;
  const entries = new Map<string, Entry>();
  const grants = new Map<string, Set<string>>();
  const aliases = new Map<string, { key: string; expiresAt: number | undefined }>();
  const byExpiry = () => new TinyQueue<Expiry>([], (a, b) => a.at - b.at);
  let expiries = byExpiry();
  let refusals = 0;

  const live = (expiresAt: number | undefined, now = Date.now()) => expiresAt === undefined || expiresAt > now;
  /** One index per grant and model: revoke() takes a model's records of a grant. */
  const indexOf = (grant: string, model: string) => `${grant}:${model}`;

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

  /** The live entry under `key`; an expired one is removed on the way. */
  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (!live(entry.expiresAt)) {
      remove(key);
      return undefined;
    }
    return entry;
  }

  function put(model: string, key: string, value: string, options: PutOptions): boolean {
    const existing = entries.get(key);
    if (options.ifAbsent && existing && live(existing.expiresAt)) return false;
    const now = Date.now();
    reclaim(RECLAIM_PER_WRITE, now);
    if (!entries.has(key) && entries.size >= maxEntries && reclaim(Infinity, now) === 0) {
      // 503 temporarily_unavailable: a readable page for people, /readyz says why.
      refusals += 1;
      throw new StoreFullError(maxEntries);
    }
    remove(key);
    const expiresAt = options.ttlMs === undefined ? undefined : now + options.ttlMs;
    if (expiresAt !== undefined) expiries.push({ at: expiresAt, key });
    const grantIndex = options.grant ? indexOf(options.grant, model) : undefined;
    const secondary = [...(options.aliases ?? [])];
    entries.set(key, { value, expiresAt, grantIndex, secondary });
    for (const alias of secondary) aliases.set(alias, { key, expiresAt });
    if (grantIndex) {
      const members = grants.get(grantIndex) ?? new Set<string>();
      members.add(key);
      grants.set(grantIndex, members);
    }
    return true;
  }

  function revokeIndex(index: string): void {
    for (const key of [...(grants.get(index) ?? [])]) remove(key);
    grants.delete(index);
  }

  const found = (entry: Entry | undefined): Found | undefined => (entry ? { value: entry.value } : undefined);

  return {
    kind: 'memory',
    get: (_model, key) => Promise.resolve(found(read(key))),
    getByAlias(_model, alias) {
      const target = aliases.get(alias);
      const hit = target ? found(read(target.key)) : undefined;
      return Promise.resolve(target && hit ? { key: target.key, found: hit } : undefined);
    },
    // A full store throws StoreFullError inside the executor: the promise rejects with it.
    put: (model, key, value, options) => new Promise((resolve) => resolve(put(model, key, value, options))),
    consume(_model, key, seen, next) {
      // Synchronous from compare to set: nothing else runs in between (TOK-1).
      const entry = read(key);
      if (!entry || entry.value !== seen.value) return Promise.resolve(false);
      entry.value = next;
      return Promise.resolve(true);
    },
    delete(_model, key) {
      remove(key);
      return Promise.resolve();
    },
    revoke(grant, models) {
      for (const model of models) revokeIndex(indexOf(grant, model));
      return Promise.resolve();
    },
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
        ...[...entries].flatMap(([key, entry]) => [key, entry.value, entry.grantIndex ?? '', ...(entry.secondary ?? [])]),
        ...[...grants].flatMap(([index, members]) => [index, ...members]),
        ...[...aliases].flatMap(([alias, target]) => [alias, target.key]),
      ]),
  };
}
