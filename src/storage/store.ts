// The contract every store meets: an adapter per oidc-provider model, plus what the
// operations routes need. sealedStore() (sealed-store.ts) builds one on any record
// backend (backend.ts) and seals what it keeps (TOK-2).
import { errors, type Adapter } from 'oidc-provider';
import type { RedisClient } from './redis-client.js';

export interface Store {
  /** The backend's name: "memory", "redis", or an agency's own backend. */
  readonly kind: string;
  /**
   * The Redis store's connection, built by redisConnection() with the deployment's
   * credentials: the consent ledger and the login throttle use it rather than opening
   * their own. The store owns it (close() quits it).
   */
  readonly redis?: RedisClient;
  /** Redis: resolves once the replicas have this process's writes (store.waitForReplicas); the ledger calls it after an append. */
  readonly waitForReplicas?: () => Promise<void>;
  /** The oidc-provider adapter for one model (the library calls this once per model). */
  adapter(model: string): Adapter;
  /**
   * #13.7: reads records the library is about to ask for in this request (a page's
   * interaction and session, named by its cookies) at once, into the request's opened
   * records (request-scope.ts), when the backend reads several at once (getMany). Only a
   * hint: outside a request it does nothing, and the library's own finds decide as before.
   */
  prefetch?(wanted: readonly { model: string; id: string }[]): Promise<void>;
  /** True when the store can serve requests now (`/readyz`). */
  ready(): Promise<boolean>;
  /** Why the store is not ready, for `/readyz` (after ready() said false); no contents. */
  notReadyReason?(): string | undefined;
  close(): Promise<void>;
  /** Counts for tests and benchmarks; never record contents. */
  stats(): Record<string, number>;
  /** Reclaim expired records now; returns how many went. */
  sweep?(): number;
  /**
   * Tests only (TOK-2 white-box check): every raw string the store holds — keys, sealed
   * values, index members. Never expose this on a route.
   */
  dump?(): Promise<string[]>;
}

/**
 * The store's backend cannot be reached (Redis down, timed out, cluster not ready). The
 * library renders it as 503 `temporarily_unavailable` (an exposed OIDCProviderError), and
 * the application may map it the same way. The detail never carries record contents.
 */
export class StoreUnavailableError extends errors.OIDCProviderError {
  override error_description = 'the service is temporarily unavailable, try again shortly';

  constructor(detail = 'store unreachable', options: { cause?: unknown } = {}) {
    super(503, 'temporarily_unavailable', { detail, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'StoreUnavailableError';
    // 5xx errors are hidden as server_error by default; this one has a standard code.
    this.expose = true;
  }
}
