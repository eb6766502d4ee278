// #13.7: records opened once per request. The library reads the same session, interaction,
// grant or token several times while it serves one request; each read costs a round trip
// to the backend, a keyed hash and an AES-GCM open (TOK-2). Inside a request scope the
// sealed store keeps what it opened (and wrote) in a map that lives only as long as the
// request: nothing is shared between requests, nothing outlives the response, and every
// record is still sealed at rest. Outside a scope (operator commands, timers) nothing is kept.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Found } from './backend.js';

/** One record as this request last saw it: its JSON, and where the backend had it (when read). */
export interface Opened {
  /** The payload as JSON: each find gets its own copy (the library mutates what it finds). */
  readonly json: string;
  /** What the backend returned; absent when this request wrote the record (no compare-and-set from it). */
  readonly found?: Found | undefined;
}

/** What one store opened in the current request. */
export interface OpenedRecords {
  /** lookup key → the record */
  readonly records: Map<string, Opened>;
  /** alias lookup (Session uid, DeviceCode user code) → the lookup key it led to */
  readonly aliases: Map<string, string>;
  /** model NUL id → its keyed hash, so a request computes each storage key once */
  readonly keys: Map<string, string>;
}

/**
 * Per owner: each sealed store (an IdP may hold more than one in tests) and the request
 * context of src/ops/request-scope.ts keep their own slot in the one map of the request.
 */
type Scope = Map<object, unknown>;

// The IdP's one AsyncLocalStorage of its own (oidc-provider has another). On Node 20 every
// enabled AsyncLocalStorage adds work to every promise made anywhere in the process, so the
// request context shares this one rather than running a second (#13.7, test/bench/README.md).
const scope = new AsyncLocalStorage<Scope>();

/** Runs `fn` (one request) with its own, empty set of opened records. */
export function withRequestScope<T>(fn: () => T): T {
  return scope.run(new Map(), fn);
}

/** Koa middleware: every request gets its own scope, gone when the response is done. */
export function requestScopedRecords(): (ctx: unknown, next: () => Promise<unknown>) => Promise<unknown> {
  return (_ctx, next) => withRequestScope(next);
}

/** The records `owner` (a sealed store) opened in the current request; undefined outside a request. */
export function openedRecords(owner: object): OpenedRecords | undefined {
  const current = scope.getStore();
  if (!current) return undefined;
  let opened = current.get(owner) as OpenedRecords | undefined;
  if (!opened) {
    opened = { records: new Map(), aliases: new Map(), keys: new Map() };
    current.set(owner, opened);
  }
  return opened;
}

/** What `owner` keeps for the current request (undefined outside a request scope, or if unset). */
export function requestLocal<T>(owner: object): T | undefined {
  return scope.getStore()?.get(owner) as T | undefined;
}

/** Keeps `value` for `owner` for the rest of the current request; false outside a request scope. */
export function setRequestLocal(owner: object, value: unknown): boolean {
  const current = scope.getStore();
  if (!current) return false;
  current.set(owner, value);
  return true;
}
