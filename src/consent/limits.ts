// OIDC-8 without flooding: a person (or someone with their session) could otherwise add
// ledger records as fast as they can click "Don't allow" — 300 in 4 s were seen. Records
// per account, and per (account, client), are limited in a sliding window; over the
// limit the decision is not taken (nothing recorded, nothing changes) and the person sees
// a page asking them to wait. On the Redis store every replica counts the same decisions.
import { RateLimiterRes } from 'rate-limiter-flexible';
import { counterKey, createCounter, type CounterBackend } from '../storage/limiter.js';
import { StoreUnavailableError } from '../storage/store.js';
import type { ConsentLedger, ConsentRecord } from './ledger.js';

export interface DecisionLimits {
  /** decisions per account and client in `window` seconds */
  perClient: number;
  /** decisions per account, all clients, in `window` seconds */
  perAccount: number;
  window: number;
}

/** Too many decisions in a short time; `retryAfter` in seconds. */
export class TooManyDecisionsError extends Error {
  override readonly name = 'TooManyDecisionsError';
  constructor(readonly retryAfter: number) {
    super('too many consent decisions in a short time');
  }
}

export function limitDecisions(ledger: ConsentLedger, limits: DecisionLimits, backend: CounterBackend = {}): ConsentLedger {
  const perClient = createCounter(backend, { name: 'consent-client', points: limits.perClient, duration: limits.window });
  const perAccount = createCounter(backend, { name: 'consent-account', points: limits.perAccount, duration: limits.window });

  async function take(record: ConsentRecord): Promise<void> {
    try {
      await perClient.consume(counterKey(backend.lookupKey, 'consent-client', `${record.accountId}\n${record.client.id}`));
      await perAccount.consume(counterKey(backend.lookupKey, 'consent-account', record.accountId));
    } catch (err) {
      if (err instanceof RateLimiterRes) throw new TooManyDecisionsError(Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
      // Fail closed: a decision is not taken without its count (the ledger is away too).
      throw new StoreUnavailableError('consent decision limit unreachable', { cause: err });
    }
  }

  return {
    kind: ledger.kind,
    async append(record) {
      await take(record);
      await ledger.append(record);
    },
    query: (filter) => ledger.query(filter),
    close: () => ledger.close(),
  };
}
