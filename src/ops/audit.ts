// The audit trail: what assurance reviewers ask of an identity provider — who signed in,
// who failed, who was throttled, what was consented, refused, issued, refreshed, revoked —
// as versioned JSON events (catalogue in config/guides/operations.md). Separate from the
// logs: its own sink, its own schema version, never a token value (token identifiers
// only as keyed hashes), never a password or what a person typed.
import { createHmac } from 'node:crypto';
import { currentRequest } from './request-scope.js';

/** Bumped when a field changes meaning or goes away; new fields and events do not bump it. */
export const AUDIT_SCHEMA_VERSION = 1;

export const AUDIT_EVENTS = [
  'signin.succeeded',
  'signin.failed',
  'signin.throttled',
  'factor.enrolled',
  'factor.removed',
  'consent.decided',
  'authorization.refused',
  'token.issued',
  'token.refreshed',
  'token.revoked',
  'token.reuse_detected',
  'client.registered',
  'client.updated',
  'client.deleted',
  'registration_token.minted',
  'consent_ledger.exported',
  'keys.rotated',
  'idp.started',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];

/** Who and where, as far as the request shows it; each is left out when not known. */
export interface AuditContext {
  requestId?: string | undefined;
  clientId?: string | undefined;
  /** the account id (`sub`) */
  subject?: string | undefined;
  grantId?: string | undefined;
  /** the client address (behind a trusted proxy: the forwarded one) */
  address?: string | undefined;
}

/** Event-specific fields: plain values only, never a token, code or secret. */
export type AuditDetails = Record<string, string | number | boolean | string[] | undefined>;

export interface AuditEvent {
  type: 'audit';
  version: number;
  event: AuditEventName;
  time: string;
  requestId?: string;
  clientId?: string;
  subject?: string;
  grantId?: string;
  address?: string;
  [detail: string]: unknown;
}

/**
 * Where events go: standard output, a Redis stream, or an agency's own module
 * (`audit.sink` of type `module`). A rejected `write` is logged and counted; the person's
 * request goes on.
 */
export interface AuditSink {
  write(event: AuditEvent): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface AuditTrail {
  emit(event: AuditEventName, context: AuditContext, details?: AuditDetails): void;
  /** A keyed hash of a token's identifier: the same token gives the same value, nothing gives the token back. */
  tokenRef(id: string | undefined): string | undefined;
  /** Everything emitted, in order, to in-process listeners (metrics). */
  subscribe(listener: (event: AuditEvent) => void): void;
  close(): Promise<void>;
}

export interface AuditFailure {
  event: AuditEventName;
  error: string;
}

/**
 * `hashKey`: the deployment's lookup key; a separate key is derived from it, so a token
 * reference here never equals a store key.
 */
export function createAuditTrail(sink: AuditSink, hashKey: Buffer, onFailure: (f: AuditFailure) => void): AuditTrail {
  const refKey = createHmac('sha256', hashKey).update('audit-token-reference').digest();
  const listeners: ((event: AuditEvent) => void)[] = [];
  return {
    emit(event, context, details = {}) {
      // Who: the request's, then the context's where it says (an undefined leaves the
      // request's); then the details. Empty values are left out. Plain loops: the spread
      // and entries version cost 32 µs an event, this 3 µs (#13.7; one or more per request).
      const request = currentRequest();
      const merged: Record<string, unknown> = { requestId: request?.requestId, clientId: request?.clientId, address: request?.address };
      for (const k of Object.keys(context)) {
        const v = (context as Record<string, unknown>)[k];
        if (v !== undefined) merged[k] = v;
      }
      for (const k of Object.keys(details)) merged[k] = details[k];
      const record: AuditEvent = { type: 'audit', version: AUDIT_SCHEMA_VERSION, event, time: new Date().toISOString() };
      for (const k of Object.keys(merged)) {
        const v = merged[k];
        if (v !== undefined && v !== '') record[k] = v;
      }
      for (const listener of listeners) listener(record);
      // An unavailable sink must not fail the person's request; the failure is logged and counted.
      try {
        const written: unknown = sink.write(record);
        // An agency's sink may answer with a promise (or anything else): only a rejection counts.
        if (written instanceof Promise) written.catch((err: unknown) => onFailure({ event, error: (err as Error).name ?? 'Error' }));
      } catch (err) {
        onFailure({ event, error: (err as Error).name ?? 'Error' });
      }
    },
    tokenRef(id) {
      if (!id) return undefined;
      return createHmac('sha256', refKey).update(id).digest('base64url').slice(0, 22);
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    async close() {
      await sink.close?.();
    },
  };
}
