// The contract every store meets: an adapter per oidc-provider model, plus what the
// operations routes need. Each store seals what it keeps (TOK-2).
import type { Adapter } from 'oidc-provider';

export interface Store {
  readonly kind: 'memory' | 'redis';
  /** The oidc-provider adapter for one model (the library calls this once per model). */
  adapter(model: string): Adapter;
  /** True when the store can serve requests now (`/readyz`). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
  /** Counts for tests and benchmarks; never record contents. */
  stats(): Record<string, number>;
  /** Reclaim expired records now; returns how many went. */
  sweep?(): number;
}
