// The oidc-provider adapter on any record backend (backend.ts): every record sealed with
// its model and key as AAD and found through keyed hashes (TOK-2), used once by
// compare-and-set with a replay revoking its grant (TOK-1), replay-detection ids written
// once, single-use writes made durable before they are acknowledged (TOK-4).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Found, RecordBackend } from './backend.js';
import { GRANTABLE, GRANT_MODEL, INSERT_ONLY, SINGLE_USE, alreadyConsumed, consumedRecord, epochNow, replayDetected } from './records.js';
import { openedRecords, type OpenedRecords } from './request-scope.js';
import type { Sealer } from './seal.js';
import type { Store } from './store.js';

/** Secondary indexes the library reads: Session.findByUid, DeviceCode.findByUserCode. */
const ALIASES: Readonly<Record<string, 'uid' | 'userCode'>> = { Session: 'uid', DeviceCode: 'userCode' };

interface Opener {
  keyOf(id: string): string;
  /** Keeps what a prefetch found (if anything) as this request's read of `key`. */
  prefetched(request: OpenedRecords, key: string, found: Found | undefined): void;
}

/** Seals what `backend` keeps with `sealer` and serves it to oidc-provider as a Store. */
export function sealedStore(backend: RecordBackend, sealer: Sealer): Store {
  const counters = { upserts: 0, finds: 0, consumes: 0, consumeConflicts: 0, replayRevokes: 0, destroys: 0, revokes: 0, replaysRefused: 0, reopened: 0 };
  // #13.7: what this store opened or wrote in the current request (request-scope.ts).
  const owner = {};
  const opened = () => openedRecords(owner)?.records;
  const openedAliases = () => openedRecords(owner)?.aliases;
  /**
   * The storage key of (model, id), hashed once per request: the library asks for the
   * same few keys again and again (a consent-on-file sign-in: 31 lookups of 13 keys).
   */
  const lookup = (model: string, id: string): string => {
    const keys = openedRecords(owner)?.keys;
    if (!keys) return sealer.lookup(model, id);
    const memo = `${model}\0${id}`;
    let key = keys.get(memo);
    if (key === undefined) {
      key = sealer.lookup(model, id);
      keys.set(memo, key);
    }
    return key;
  };
  // One tag per grant for every model: a backend may keep a grant's records together.
  const grantTag = (grantId: string) => lookup('#grant', grantId);

  /** TOK-1: what the library's revoke(ctx, grantId) does on a replay: every token of the grant, and the grant. */
  async function revokeGrant(grantId: unknown): Promise<void> {
    if (typeof grantId !== 'string' || !grantId) return;
    counters.replayRevokes += 1;
    // Any record of the grant this request holds is gone now.
    opened()?.clear();
    await Promise.all([backend.revoke(grantTag(grantId), [...GRANTABLE]), backend.delete(GRANT_MODEL, lookup(GRANT_MODEL, grantId))]);
  }

  /** Per model: its storage key and how it opens a prefetched record into the request. */
  const openers = new Map<string, Opener>();

  /** A model's opener: made with its adapter (the library makes each once), or now. */
  const openerOf = (model: string): Opener => openers.get(model) ?? build(model).opener;

  /** #13.7: the records a page is about to ask for, read at once into the request's opened records. */
  async function prefetch(wanted: readonly { model: string; id: string }[]): Promise<void> {
    // A backend without getMany (the memory store) has no round trips to save.
    const request = openedRecords(owner);
    if (!backend.getMany || !request) return;
    const reads: { model: string; key: string; opener: Opener }[] = [];
    for (const { model, id } of wanted) {
      if (!id) continue;
      const opener = openerOf(model);
      const key = opener.keyOf(id);
      // What this request already read or wrote stays as it is.
      if (!request.records.has(key) && !reads.some((r) => r.key === key)) reads.push({ model, key, opener });
    }
    if (reads.length === 0) return;
    const found = await backend.getMany(reads);
    reads.forEach((r, i) => {
      // A record the request wrote meanwhile wins over what was read before it.
      if (!request.records.has(r.key)) r.opener.prefetched(request, r.key, found[i]);
    });
  }

  /** The library's adapter for one model, and the opener a prefetch uses for it. */
  function build(model: string): { adapter: Adapter; opener: Opener } {
    const keyOf = (id: string) => lookup(model, id);
    const aad = (key: string) => `${model}:${key}`;
    const aliasField = ALIASES[model];
    const aliasOf = (value: string) => lookup(`${model}#${aliasField ?? ''}`, value);
    const aliasesOf = (payload: AdapterPayload | undefined): string[] => {
      const value = aliasField ? payload?.[aliasField] : undefined;
      return typeof value === 'string' && value ? [aliasOf(value)] : [];
    };
    // The sealer's JSON-level calls, when it has them: the JSON kept for the request is
    // the JSON sealed or opened, never serialised a second time.
    const toJson = (key: string, sealed: string): string =>
      sealer.openJson ? sealer.openJson(sealed, aad(key)) : JSON.stringify(sealer.open(sealed, aad(key)));
    const sealJson = (key: string, json: string): string => (sealer.sealJson ? sealer.sealJson(json, aad(key)) : sealer.seal(JSON.parse(json), aad(key)));
    const unseal = (key: string, found: Found | undefined): AdapterPayload | undefined =>
      found ? (sealer.open(found.value, aad(key)) as AdapterPayload) : undefined;
    /** Opens what the backend found, and keeps it for the rest of the request. */
    const open = (key: string, found: Found | undefined): AdapterPayload | undefined => {
      if (!found) return undefined;
      const scoped = opened();
      if (!scoped) return unseal(key, found);
      const json = toJson(key, found.value);
      scoped.set(key, { json, found });
      return JSON.parse(json) as AdapterPayload;
    };
    /** The record under `key` as this request last saw it (a fresh copy), if it saw it. */
    const reopen = (key: string): AdapterPayload | undefined => {
      const kept = opened()?.get(key);
      if (!kept) return undefined;
      counters.reopened += 1;
      return JSON.parse(kept.json) as AdapterPayload;
    };
    /** The record under `key` as this request last saw it, or the backend's. */
    const read = async (key: string): Promise<AdapterPayload | undefined> => reopen(key) ?? open(key, await backend.get(model, key));
    const durable = async () => {
      await backend.durable?.();
    };

    async function findByAlias(field: 'uid' | 'userCode', value: string): Promise<AdapterPayload | undefined> {
      if (aliasField !== field) return undefined;
      counters.finds += 1;
      const aliasKey = aliasOf(value);
      const knownKey = openedAliases()?.get(aliasKey);
      const kept = knownKey === undefined ? undefined : reopen(knownKey);
      // A stale alias (the record since took another uid or user code) finds nothing.
      if (kept?.[field] === value) return kept;
      const hit = await backend.getByAlias(model, aliasKey);
      const payload = hit ? open(hit.key, hit.found) : undefined;
      if (payload?.[field] !== value) return undefined;
      if (hit) openedAliases()?.set(aliasKey, hit.key);
      return payload;
    }

    const opener: Opener = {
      keyOf,
      // A session prefetched by id answers this request's find by its uid too (the
      // interaction pages find it by the uid their interaction names): its alias names it.
      prefetched(request, key, found) {
        if (!found) return;
        const json = toJson(key, found.value);
        request.records.set(key, { json, found });
        // Parsed only for its alias: the library's own find parses its copy.
        if (aliasField) for (const aliasKey of aliasesOf(JSON.parse(json) as AdapterPayload)) request.aliases.set(aliasKey, key);
      },
    };
    openers.set(model, opener);
    const adapter: Adapter = {
      async upsert(id, payload, expiresIn) {
        counters.upserts += 1;
        const key = keyOf(id);
        opened()?.delete(key);
        const scoped = INSERT_ONLY.has(model) ? undefined : opened();
        const json = scoped ? JSON.stringify(payload) : undefined;
        const sealed = json === undefined ? sealer.seal(payload, aad(key)) : sealJson(key, json);
        const written = await backend.put(model, key, sealed, {
          ttlMs: typeof expiresIn === 'number' ? expiresIn * 1000 : undefined,
          grant: GRANTABLE.has(model) && payload.grantId ? grantTag(payload.grantId) : undefined,
          aliases: aliasesOf(payload),
          // A replay-detection id is written once: the library's find-then-save in
          // ReplayDetection.unique() is not atomic across two parallel requests.
          ifAbsent: INSERT_ONLY.has(model),
        });
        if (!written) {
          counters.replaysRefused += 1;
          throw replayDetected();
        }
        // Later reads in this request see what it wrote (but consume() reads the backend again).
        if (json !== undefined) scoped?.set(key, { json });
        // TOK-4: a rotated refresh token (or a new code) must not be lost in a failover.
        if (SINGLE_USE.has(model)) await durable();
      },

      async find(id) {
        counters.finds += 1;
        return read(keyOf(id));
      },

      findByUid: (uid) => findByAlias('uid', uid),
      findByUserCode: (userCode) => findByAlias('userCode', userCode),

      async consume(id) {
        counters.consumes += 1;
        const key = keyOf(id);
        const kept = opened()?.get(key);
        opened()?.delete(key);
        // The library found the record earlier in this request: compare-and-set against
        // that read (TOK-1 holds: the write happens only if the record is still what was
        // read). If it changed since, decide on a fresh read below, exactly as without it.
        if (kept?.found) {
          const payload = JSON.parse(kept.json) as AdapterPayload;
          if (!payload.consumed && (await backend.consume(model, key, kept.found, sealer.seal(consumedRecord(model, payload, epochNow()), aad(key))))) {
            await durable();
            return;
          }
        }
        const found = await backend.get(model, key);
        const payload = unseal(key, found);
        // The library found it a moment ago: gone now means used and revoked meanwhile.
        if (!found || !payload) throw alreadyConsumed(model);
        if (payload.consumed) {
          await revokeGrant(payload.grantId);
          throw alreadyConsumed(model);
        }
        // TOK-1: one compare-and-set; of parallel consumes exactly one sees its read in place.
        const won = await backend.consume(model, key, found, sealer.seal(consumedRecord(model, payload, epochNow()), aad(key)));
        if (!won) {
          counters.consumeConflicts += 1;
          await revokeGrant(payload.grantId);
          throw alreadyConsumed(model);
        }
        // TOK-1: the use is acknowledged only once a promoted replica would know it.
        await durable();
      },

      async destroy(id) {
        counters.destroys += 1;
        const key = keyOf(id);
        // The aliases live in the sealed record: read them back so no backend must remember them.
        const aliases = aliasField ? aliasesOf(await read(key)) : [];
        opened()?.delete(key);
        await backend.delete(model, key, aliases);
        // A used PAR request URI or initial access token must stay gone after a failover.
        if (SINGLE_USE.has(model)) await durable();
      },

      async revokeByGrantId(grantId) {
        counters.revokes += 1;
        if (!GRANTABLE.has(model)) return;
        opened()?.clear();
        await backend.revoke(grantTag(grantId), [model]);
      },
    };
    return { adapter, opener };
  }

  const store: Store = {
    kind: backend.kind,
    adapter: (model) => build(model).adapter,
    prefetch,
    ready: () => backend.ready(),
    close: () => backend.close(),
    stats: () => ({ ...counters, ...backend.stats() }),
  };
  if (backend.notReadyReason) store.notReadyReason = () => backend.notReadyReason?.();
  if (backend.sweep) store.sweep = () => backend.sweep?.() ?? 0;
  if (backend.dump) store.dump = () => backend.dump?.() ?? Promise.resolve([]);
  return store;
}
