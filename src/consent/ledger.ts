// OIDC-8: every consent decision is recorded with its parameters, append-only, before
// the flow goes on. This file is the record's shape and the ledger contract; each store
// has its own ledger (memory-ledger.ts; a Redis stream sealed like the rest later).

export type Decision = 'approve' | 'partial' | 'deny' | 'withdraw';

/** What a decision is about: OIDC scopes, their claims, and API (resource) scopes. */
export interface Access {
  scopes: string[];
  claims: string[];
  /** resource indicator (audience) → scopes for that API */
  resources: Record<string, string[]>;
}

export interface RequestFacts {
  /** where the decision was taken */
  via: 'authorization' | 'account' | 'ciba';
  redirectUri?: string | undefined;
  responseType?: string | undefined;
  responseMode?: string | undefined;
  /** the request came through PAR (EP-8) */
  par?: boolean | undefined;
  /** acr_values the client asked for */
  acrValues?: string | undefined;
  /** the authentication context the person's session has */
  acr?: string | undefined;
  prompt?: string | undefined;
  /** OIDC-9: the SMART launch context the consent was given in (patient, encounter, …) */
  smart?: Record<string, unknown> | undefined;
  /** the identity source the person signed in with (`file`, a directory's or an upstream's id) */
  source?: string | undefined;
}

export interface ConsentRecord {
  /** record format */
  v: 1;
  id: string;
  /** ISO 8601 */
  time: string;
  decision: Decision;
  accountId: string;
  client: { id: string; name: string; classification: string };
  /** what the person was asked about in this decision (withdraw: what the grant held) */
  asked: Access;
  /** what the person agreed to in this decision (empty for deny and withdraw) */
  granted: Access;
  /** what the grant holds after this decision (empty after withdraw) */
  holds: Access;
  request: RequestFacts;
  /** the library's Grant id; absent for a first-time deny */
  grantId?: string | undefined;
  /** ISO 8601: when the consent (grant) expires */
  expiresAt?: string | undefined;
  /** the request's correlation id (the interaction's cid, or the account request's id) */
  correlationId: string;
  /** version of the consent text the person saw */
  consentText: string;
}

export interface LedgerFilter {
  accountId?: string | undefined;
  clientId?: string | undefined;
  /** inclusive, epoch ms */
  since?: number | undefined;
  /** exclusive, epoch ms */
  until?: number | undefined;
}

export interface ConsentLedger {
  readonly kind: 'memory' | 'redis';
  /** Resolves once the record is durably kept; rejects otherwise (the consent must not proceed). */
  append(record: ConsentRecord): Promise<void>;
  /** Records in the order they were written. */
  query(filter?: LedgerFilter): AsyncIterable<ConsentRecord>;
  close(): Promise<void>;
}

/** The ledger could not keep a record: the decision it describes does not take effect. */
export class LedgerWriteError extends Error {
  override readonly name = 'LedgerWriteError';
}

export const emptyAccess = (): Access => ({ scopes: [], claims: [], resources: {} });

export function matches(record: ConsentRecord, filter: LedgerFilter = {}): boolean {
  const t = Date.parse(record.time);
  return (
    (filter.accountId === undefined || record.accountId === filter.accountId) &&
    (filter.clientId === undefined || record.client.id === filter.clientId) &&
    (filter.since === undefined || t >= filter.since) &&
    (filter.until === undefined || t < filter.until)
  );
}

/** A consent a client holds now, as the ledger tells it. */
export interface HeldConsent {
  clientId: string;
  clientName: string;
  classification: string;
  grantId: string;
  holds: Access;
  /** ISO: the first approval of this grant */
  since: string;
  /** ISO: when it expires */
  until: string | undefined;
  /** ISO: the latest decision that changed it */
  updated: string;
}

/**
 * Fold one account's records into the consents its clients hold now: the latest
 * approval per client, unless withdrawn or expired. (Whether the grant still exists in
 * the store is for the caller to check: a reused code, for one, revokes it — TOK-1.)
 */
export async function heldConsents(ledger: ConsentLedger, accountId: string, now = Date.now()): Promise<HeldConsent[]> {
  const byClient = new Map<string, HeldConsent>();
  for await (const r of ledger.query({ accountId })) {
    if (r.decision === 'approve' || r.decision === 'partial') {
      if (!r.grantId) continue;
      const current = byClient.get(r.client.id);
      const since = current && current.grantId === r.grantId ? current.since : r.time;
      byClient.set(r.client.id, {
        clientId: r.client.id,
        clientName: r.client.name,
        classification: r.client.classification,
        grantId: r.grantId,
        holds: r.holds,
        since,
        until: r.expiresAt,
        updated: r.time,
      });
    } else if (r.decision === 'withdraw') {
      const current = byClient.get(r.client.id);
      if (current && (!r.grantId || current.grantId === r.grantId)) byClient.delete(r.client.id);
    }
    // A deny leaves what was granted before untouched: the library keeps the grant.
  }
  return [...byClient.values()].filter((c) => c.until === undefined || Date.parse(c.until) > now);
}
