// What the current request is, for code far from its Koa context (the consent ledger,
// the sign-in check): the request id and address every log line and audit event carries,
// and the IdP's audit trail. Set once per request by `requestContext` (requests.ts).
import { requestLocal, setRequestLocal, withRequestScope } from '../storage/request-scope.js';
import type { AuditContext, AuditDetails, AuditEventName, AuditTrail } from './audit.js';

export interface RequestScope {
  requestId: string;
  address: string;
  /** the client the request is for, once known (an interaction page learns it late) */
  clientId?: string | undefined;
  audit?: AuditTrail | undefined;
}

/** This module's slot in the request's scope (src/storage/request-scope.ts). */
const SLOT = {};

/**
 * Runs `fn` (one request) with `scope` as its context. Inside the request scope the Koa
 * middleware opened (server.ts), it takes a slot there instead of a second
 * AsyncLocalStorage, which would cost every promise of every request (#13.7).
 */
export function withinRequest<T>(scope: RequestScope, fn: () => T): T {
  if (setRequestLocal(SLOT, scope)) return fn();
  return withRequestScope(() => {
    setRequestLocal(SLOT, scope);
    return fn();
  });
}

export function currentRequest(): RequestScope | undefined {
  return requestLocal<RequestScope>(SLOT);
}

/** The client this request is about, as soon as a page knows it (access log, audit). */
export function noteClient(clientId: unknown): void {
  const scope = currentRequest();
  if (scope && typeof clientId === 'string' && clientId) scope.clientId = clientId;
}

/** An audit event from inside a request (no-op outside one, e.g. in a unit test). */
export function audit(event: AuditEventName, context: AuditContext = {}, details?: AuditDetails): void {
  currentRequest()?.audit?.emit(event, context, details);
}

/** A typed user name as a keyed hash (never the text typed): failures per account can be counted. */
export function accountRef(username: string): string | undefined {
  return currentRequest()?.audit?.tokenRef(`account:${username.trim().toLowerCase()}`);
}
