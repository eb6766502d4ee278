// EP-10, GR-2: a client does not choose its own classification. The operator decides, when
// minting an initial access token, the highest classification (and optionally the scopes
// and APIs) a registration made with it may have; an RFC 7592 update stays within that and never
// raises the classification the client already has. The allowance travels as the token's
// policy names (the only data the library keeps on initial and registration access tokens,
// and copies from one to the other).
import type { Problem } from '../config/errors.js';
import { CLASSIFICATIONS, isClassification, rank, type Classification, type ProfileOptions } from './classification.js';
import { applyRegistrationDefaults, type ClientMetadata } from './clients.js';

/** The policy that checks an allowance; the others only carry its data. */
export const ALLOWANCE = 'allowance';
const CLASSIFICATION = 'classification:';
const SCOPE = 'scope:';
const API = 'api:';

export interface Allowance {
  maxClassification: Classification;
  /** the `scope` values a registration may list; undefined = any the deployment offers */
  scopes?: readonly string[];
  /** the APIs (resource identifiers) the client may get tokens for; undefined = any its class reaches */
  apis?: readonly string[];
}

/** The policy names that carry an allowance, in the order the library runs them. */
export function allowancePolicies(allowance: Allowance): string[] {
  return [ALLOWANCE, `${CLASSIFICATION}${allowance.maxClassification}`, ...(allowance.scopes ?? []).map((s) => `${SCOPE}${s}`), ...(allowance.apis ?? []).map((a) => `${API}${a}`)];
}

/** Every name a token minted for this deployment may carry (the library refuses others). */
export function allowancePolicyNames(scopes: Iterable<string>, apis: Iterable<string>): string[] {
  return [ALLOWANCE, ...CLASSIFICATIONS.map((c) => `${CLASSIFICATION}${c}`), ...[...scopes].map((s) => `${SCOPE}${s}`), ...[...apis].map((a) => `${API}${a}`)];
}

export function allowanceOf(policies: readonly string[] | undefined): Allowance | undefined {
  if (!policies?.includes(ALLOWANCE)) return undefined;
  const max = policies.find((p) => p.startsWith(CLASSIFICATION))?.slice(CLASSIFICATION.length);
  if (!isClassification(max)) return undefined;
  const listed = (prefix: string) => policies.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
  const [scopes, apis] = [listed(SCOPE), listed(API)];
  return { maxClassification: max, ...(scopes.length ? { scopes } : {}), ...(apis.length ? { apis } : {}) };
}

const scopeList = (value: unknown): string[] => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

/** A registration (or update) against the allowance of the token it is made with. */
export function checkAllowance(meta: ClientMetadata, allowance: Allowance | undefined): Problem | undefined {
  if (!allowance) {
    return { field: 'classification', message: 'this initial access token sets no classification ceiling; ask the operator for one made with `npm run registration-token -- --classification …`', rule: 'EP-10' };
  }
  const requested = meta.classification;
  if (isClassification(requested) && rank(requested) > rank(allowance.maxClassification)) {
    return { field: 'classification', message: `this token allows registration up to ${allowance.maxClassification}; a ${requested} client needs a token the operator made for that class`, rule: 'GR-2, EP-10' };
  }
  const allowed = allowance.scopes;
  if (allowed) {
    const extra = scopeList(meta.scope).filter((s) => !allowed.includes(s));
    if (extra.length) return { field: 'scope', message: `not allowed by this token: ${extra.join(' ')} (allowed: ${allowed.join(' ')})`, rule: 'EP-10' };
  }
  const apis = allowance.apis;
  if (apis) {
    const requestedApis = Array.isArray(meta.allowed_resources) ? (meta.allowed_resources as unknown[]) : [];
    const extra = requestedApis.filter((a) => typeof a !== 'string' || !apis.includes(a));
    if (extra.length) return { field: 'allowed_resources', message: `not allowed by this token: ${extra.map(String).join(' ')} (allowed: ${apis.join(' ')})`, rule: 'EP-10' };
  }
  return undefined;
}

/** An RFC 7592 update keeps the classification or lowers it; it never raises it. */
export function checkNoRaise(current: unknown, next: unknown): Problem | undefined {
  if (!isClassification(current) || !isClassification(next) || rank(next) <= rank(current)) return undefined;
  return { field: 'classification', message: `a ${current} client cannot make itself ${next}; register again with a token the operator made for ${next}`, rule: 'GR-2, EP-10' };
}

/**
 * What a registration gets set for it before the library's own defaults fill the rest:
 * the token's scopes and APIs when it lists none, then what its profile's executors set
 * for a self-registered client. An explicit `false` is left alone, for the profile check to refuse.
 */
export function registrationDefaults(meta: ClientMetadata, allowance: Allowance | undefined, options: ProfileOptions): ClientMetadata {
  const out: ClientMetadata = { ...meta };
  if (allowance?.scopes && out.scope === undefined) out.scope = allowance.scopes.join(' ');
  if (allowance?.apis && out.allowed_resources === undefined) out.allowed_resources = [...allowance.apis];
  // The profile's own defaults are its executors' (executors/par.ts, executors/sender-constraint.ts).
  return isClassification(out.classification) ? applyRegistrationDefaults(out, out.classification, options) : out;
}
