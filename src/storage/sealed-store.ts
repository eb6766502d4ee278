// The oidc-provider adapter on any record backend (backend.ts): every record sealed with
// its model and key as AAD and found through keyed hashes (TOK-2), used once by
// compare-and-set with a replay revoking its grant (TOK-1), replay-detection ids written
// once, single-use writes made durable before they are acknowledged (TOK-4).
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Found, RecordBackend } from './backend.js';
import { GRANTABLE, GRANT_MODEL, INSERT_ONLY, SINGLE_USE, alreadyConsumed, consumedRecord, epochNow, replayDetected } from './records.js';
import type { Sealer } from './seal.js';
import type { Store } from './store.js';

/** Secondary indexes the library reads: Session.findByUid, DeviceCode.findByUserCode. */
const ALIASES: Readonly<Record<string, 'uid' | 'userCode'>> = { Session: 'uid', DeviceCode: 'userCode' };

/** Seals what `backend` keeps with `sealer` and serves it to oidc-provider as a Store. */
export function sealedStore(backend: RecordBackend, sealer: Sealer): Store {
  const counters = { upserts: 0, finds: 0, consumes: 0, consumeConflicts: 0, replayRevokes: 0, destroys: 0, revokes: 0, replaysRefused: 0 };
  // One tag per grant for every model: a backend may keep a grant's records together.
  const grantTag = (grantId: string) => sealer.lookup('#grant', grantId);

  /** TOK-1: what the library's revoke(ctx, grantId) does on a replay: every token of the grant, and the grant. */
  async function revokeGrant(grantId: unknown): Promise<void> {
    if (typeof grantId !== 'string' || !grantId) return;
    counters.replayRevokes += 1;
    await Promise.all([backend.revoke(grantTag(grantId), [...GRANTABLE]), backend.delete(GRANT_MODEL, sealer.lookup(GRANT_MODEL, grantId))]);
  }

  function adapter(model: string): Adapter {
    const keyOf = (id: string) => sealer.lookup(model, id);
    const aad = (key: string) => `${model}:${key}`;
    const aliasField = ALIASES[model];
    const aliasOf = (value: string) => sealer.lookup(`${model}#${aliasField ?? ''}`, value);
    const aliasesOf = (payload: AdapterPayload | undefined): string[] => {
      const value = aliasField ? payload?.[aliasField] : undefined;
      return typeof value === 'string' && value ? [aliasOf(value)] : [];
    };
    const open = (key: string, found: Found | undefined): AdapterPayload | undefined =>
      found ? (sealer.open(found.value, aad(key)) as AdapterPayload) : undefined;
    const durable = async () => {
      await backend.durable?.();
    };

    async function findByAlias(field: 'uid' | 'userCode', value: string): Promise<AdapterPayload | undefined> {
      if (aliasField !== field) return undefined;
      counters.finds += 1;
      const hit = await backend.getByAlias(model, aliasOf(value));
      const payload = hit ? open(hit.key, hit.found) : undefined;
      // A stale alias (the record since took another uid or user code) finds nothing.
      return payload?.[field] === value ? payload : undefined;
    }

    return {
      async upsert(id, payload, expiresIn) {
        counters.upserts += 1;
        const key = keyOf(id);
        const written = await backend.put(model, key, sealer.seal(payload, aad(key)), {
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
        // TOK-4: a rotated refresh token (or a new code) must not be lost in a failover.
        if (SINGLE_USE.has(model)) await durable();
      },

      async find(id) {
        counters.finds += 1;
        const key = keyOf(id);
        return open(key, await backend.get(model, key));
      },

      findByUid: (uid) => findByAlias('uid', uid),
      findByUserCode: (userCode) => findByAlias('userCode', userCode),

      async consume(id) {
        counters.consumes += 1;
        const key = keyOf(id);
        const found = await backend.get(model, key);
        const payload = open(key, found);
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
        const aliases = aliasField ? aliasesOf(open(key, await backend.get(model, key))) : [];
        await backend.delete(model, key, aliases);
        // A used PAR request URI or initial access token must stay gone after a failover.
        if (SINGLE_USE.has(model)) await durable();
      },

      async revokeByGrantId(grantId) {
        counters.revokes += 1;
        if (!GRANTABLE.has(model)) return;
        await backend.revoke(grantTag(grantId), [model]);
      },
    };
  }

  const store: Store = {
    kind: backend.kind,
    adapter,
    ready: () => backend.ready(),
    close: () => backend.close(),
    stats: () => ({ ...counters, ...backend.stats() }),
  };
  if (backend.notReadyReason) store.notReadyReason = () => backend.notReadyReason?.();
  if (backend.sweep) store.sweep = () => backend.sweep?.() ?? 0;
  if (backend.dump) store.dump = () => backend.dump?.() ?? Promise.resolve([]);
  return store;
}
