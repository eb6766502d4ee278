// The embedded store: correct and bounded, sealed like the Redis store (TOK-2).
// Unlike the library's development adapter it never evicts a live record: entries go
// when they expire, and a full store refuses writes loudly instead of dropping grants.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { GRANTABLE, GRANT_MODEL, INSERT_ONLY, alreadyConsumed, consumedRecord, epochNow, replayDetected } from './records.js';
import type { Sealer } from './seal.js';
import type { Store } from './store.js';

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

export function createMemoryStore(sealer: Sealer, options: MemoryStoreOptions = {}): Store {
  const { maxEntries = 1_000_000, sweepIntervalMs = 30_000 } = options;
  const entries = new Map<string, Entry>();
  const grants = new Map<string, Set<string>>();
  const aliases = new Map<string, { key: string; expiresAt: number | undefined }>();

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

  function sweep(): number {
    const now = Date.now();
    let removed = 0;
    for (const [key, entry] of entries) {
      if (!live(entry.expiresAt, now)) {
        remove(key);
        removed += 1;
      }
    }
    for (const [alias, target] of aliases) {
      if (!live(target.expiresAt, now)) aliases.delete(alias);
    }
    return removed;
  }

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
        if (!entries.has(key) && entries.size >= maxEntries && sweep() === 0 && entries.size >= maxEntries) {
          throw new Error(`the in-memory store is full (${maxEntries} live records); use the Redis store for this load`);
        }
        remove(key);
        const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
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
    ready: () => Promise.resolve(true),
    close: () => {
      clearInterval(timer);
      return Promise.resolve();
    },
    stats: () => ({ entries: entries.size, grantIndexes: grants.size, aliases: aliases.size }),
    sweep,
    dump: () =>
      Promise.resolve([
        ...[...entries].flatMap(([key, entry]) => [key, entry.sealed, entry.grantIndex ?? '', ...(entry.secondary ?? [])]),
        ...[...grants].flatMap(([index, members]) => [index, ...members]),
        ...[...aliases].flatMap(([alias, target]) => [alias, target.key]),
      ]),
  };
}
