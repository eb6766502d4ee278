// The storage seam (#13.4): a record backend keeps opaque strings under opaque keys; the
// sealed store (sealed-store.ts) turns it into the oidc-provider adapter, sealing every
// record (TOK-2) and enforcing single use (TOK-1) on top. The memory store (memory.ts)
// and the Redis store (redis.ts) are two backends; an agency can write a third — a SQL
// table, a cloud key-value service — without re-implementing sealing, and prove it with
// test/contract/backend-contract.ts. See config/guides/storage-backends.md.
//
// Everything a backend receives is already sealed or hashed: keys and aliases are keyed
// hashes (Sealer.lookup), values are AES-256-GCM "v1.<kid>.…" strings, grant tags are
// keyed hashes of grant ids. A backend never sees an id, a token value or a claim.

/** A value as the backend found it; handed back to {@link RecordBackend.consume} to compare. */
export interface Found {
  /** The sealed string exactly as it was put. */
  readonly value: string;
  /**
   * Where the backend found it, in the backend's own terms (the Redis store: the key that
   * holds the value). Opaque to the sealed store, which only passes it back to consume().
   */
  readonly at?: string;
}

/** How {@link RecordBackend.put} writes a record. */
export interface PutOptions {
  /**
   * Milliseconds until the record expires (may be fractional); undefined = kept until
   * deleted. After expiry get(), getByAlias() and the grant index no longer find it, and
   * the backend reclaims its room (when it likes: on read, on write or on a timer).
   */
  ttlMs?: number | undefined;
  /**
   * The grant tag the record belongs to (a keyed hash of its grant id): the record joins
   * the index of (grant, model) so {@link RecordBackend.revoke} can remove it. A put
   * without a grant takes the record out of any index it was in before.
   */
  grant?: string | undefined;
  /**
   * Secondary keys that find this record through getByAlias() (Session uid, DeviceCode
   * user code), with the record's expiry. A rewrite may leave an earlier alias behind:
   * the sealed store checks what it finds against the alias it asked for.
   */
  aliases?: readonly string[] | undefined;
  /**
   * Insert only (replay detection): write only if no live record is under the key, and
   * say so atomically — of two parallel puts of one key exactly one returns true.
   */
  ifAbsent?: boolean | undefined;
}

/**
 * What the sealed store needs from a place to keep records. Every method may reject with
 * StoreUnavailableError (src/storage/store.ts) when the backend cannot be reached or is
 * full: the library answers 503 temporarily_unavailable. `model` is the oidc-provider
 * model name ("AccessToken", "Session", …): a backend may use it to pick a table or a key
 * layout; keys of different models never collide (the model is part of the hash).
 */
export interface RecordBackend {
  /** Shown by /readyz and the metrics ("memory", "redis", or the agency's own name). */
  readonly kind: string;

  /** The live record under `key`, or undefined (absent or expired). */
  get(model: string, key: string): Promise<Found | undefined>;

  /**
   * Optional: several get()s in one round trip (#13.7: a page's interaction and session).
   * Answers in the order asked. Without it the store does not prefetch (Store.prefetch).
   */
  getMany?(wanted: readonly { model: string; key: string }[]): Promise<(Found | undefined)[]>;

  /** The live record an alias points at, with its key; undefined when there is none. */
  getByAlias(model: string, alias: string): Promise<{ key: string; found: Found } | undefined>;

  /**
   * Writes (replaces) the whole record under `key` with its expiry, grant index and
   * aliases. Resolves true; false only when `ifAbsent` found a live record (nothing written).
   */
  put(model: string, key: string, value: string, options: PutOptions): Promise<boolean>;

  /**
   * TOK-1: compare-and-set. Replaces the value with `next`, keeping the record's expiry,
   * grant index and aliases, only if the record still holds `seen.value`; true when it
   * did. Of parallel consumes of one read exactly one may win. A record that is gone
   * (deleted, revoked, expired) is not consumed: false.
   */
  consume(model: string, key: string, seen: Found, next: string): Promise<boolean>;

  /**
   * Removes the record, its place in its grant index, and those of `aliases` (the aliases
   * it was put with, read back by the sealed store) that still point at `key`. Removing
   * nothing is fine.
   */
  delete(model: string, key: string, aliases?: readonly string[]): Promise<void>;

  /** Removes every record in the grant indexes of (grant, model) for each model, and the indexes. */
  revoke(grant: string, models: readonly string[]): Promise<void>;

  /**
   * TOK-1, TOK-4: resolves once the writes made so far would survive a failover (Redis:
   * WAIT for replicas). Called after every single-use write; omit it when every write is
   * durable when acknowledged.
   */
  durable?(): Promise<void>;

  /** True when the backend can serve requests now (`/readyz`). */
  ready(): Promise<boolean>;
  /** Why it is not ready, after ready() said false; never record contents. */
  notReadyReason?(): string | undefined;
  /** Releases connections and timers. */
  close(): Promise<void>;
  /** Counts for metrics, tests and benchmarks; never record contents. */
  stats(): Record<string, number>;
  /** Reclaims expired records now; how many went. */
  sweep?(): number;
  /** Tests only (TOK-2 white-box check): every raw string held — keys, values, index members. */
  dump?(): Promise<string[]>;
}

export { sealedStore } from './sealed-store.js';
export type { Sealer, SealingKey } from './seal.js';
export { createSealer } from './seal.js';
export type { Store } from './store.js';
export { StoreUnavailableError } from './store.js';
