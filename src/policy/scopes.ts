// OIDC-3, OIDC-6: which claims each scope releases, as the deployment file documents
// them (and SMART's, with a FHIR server), and which scopes exist at all. `openid` releases
// only the subject.
import type { ResourceServerConfig, ScopeDoc } from '../config/schema.js';
import type { SMART_CONTEXT_SCOPES } from './smart-scopes.js';

/** The library's own scopes: their meaning is fixed, a deployment cannot redefine them. */
export const BUILT_IN_SCOPES: readonly string[] = ['openid', 'offline_access'];

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

type ScopeDocs = Readonly<Record<string, ScopeDoc>>;

/** What the table is made of: the file's identity scopes, and whether an API is a FHIR server. */
export interface ClaimTableSource {
  scopes: ScopeDocs;
  resourceServers: readonly Pick<ResourceServerConfig, 'fhir'>[];
}

/**
 * OIDC-9: SMART's identity and launch-context scopes, offered only when a FHIR server is
 * configured: `fhirUser` releases the claim `fhirUser` (a reference, not the record), the
 * launch scopes release none.
 */
const SMART_SCOPE_CLAIMS: Readonly<Record<(typeof SMART_CONTEXT_SCOPES)[number], readonly string[]>> = { fhirUser: ['fhirUser'], launch: [], 'launch/patient': [], 'launch/encounter': [] };

/** Built once per deployment: keyed by the file's scopes, then by whether SMART is on. */
const tables = new WeakMap<ScopeDocs, { plain?: ReadonlyMap<string, readonly string[]>; smart?: ReadonlyMap<string, readonly string[]> }>();

/**
 * OIDC-3, OIDC-6: the one table of claims per scope — what each scope the deployment file
 * declares releases, and SMART's scopes where a FHIR server is configured. The library's
 * mapping (claimsByScope) and the consent page's lines and records (src/consent/scopes.ts)
 * both read it.
 */
export function scopeClaims({ scopes, resourceServers }: ClaimTableSource): ReadonlyMap<string, readonly string[]> {
  const kind = resourceServers.some((api) => api.fhir) ? 'smart' : 'plain';
  const cached = tables.get(scopes) ?? {};
  tables.set(scopes, cached);
  let table = cached[kind];
  if (!table) {
    const smart = kind === 'smart' ? Object.entries(SMART_SCOPE_CLAIMS) : [];
    // SMART's meaning of its scopes wins over a file's scope of the same name, as the library's mapping always had it.
    table = new Map([...Object.entries(scopes).map(([scope, doc]) => [scope, doc.claims] as const), ...smart].map(([scope, claims]) => [scope, Object.freeze([...claims])]));
    cached[kind] = table;
  }
  return table;
}

/** The claims `requested` scopes release, each once (the subject is not a claim here). */
export function claimsOfScopes(deployment: ClaimTableSource, requested: readonly string[]): string[] {
  const table = scopeClaims(deployment);
  return [...new Set(requested.flatMap((s) => table.get(s) ?? []))];
}

/** The library's `claims` option: the table, with `openid` releasing only the subject. */
export function claimsByScope(deployment: ClaimTableSource): Record<string, string[]> {
  const out: Record<string, string[]> = { openid: ['sub'] };
  for (const [scope, claims] of scopeClaims(deployment)) out[scope] = [...claims];
  return out;
}

/** The scopes of every API (resource server) in the deployment. */
export function apiScopes(resourceServers: readonly Pick<ResourceServerConfig, 'scopes'>[]): string[] {
  return [...new Set(resourceServers.flatMap((api) => Object.keys(api.scopes)))];
}

export interface KnownScopes {
  /** built-in and identity (OpenID Connect) scopes */
  identity: ReadonlySet<string>;
  /** API (resource-server) scopes */
  api: ReadonlySet<string>;
}

export function knownScopes(scopes: Readonly<Record<string, ScopeDoc>>, resourceServers: readonly Pick<ResourceServerConfig, 'scopes'>[]): KnownScopes {
  return { identity: new Set([...BUILT_IN_SCOPES, ...Object.keys(scopes)]), api: new Set(apiScopes(resourceServers)) };
}

/** OIDC-6: discovery's scopes_supported — identity scopes and API scopes alike. */
export function scopesSupported(known: KnownScopes): string[] {
  return [...new Set([...known.identity, ...known.api])];
}

/** A registration's `scope` (RFC 7591), split into identity, API and unknown scopes. */
export function splitScope(scope: string, known: KnownScopes): { identity: string[]; api: string[]; unknown: string[] } {
  const out = { identity: [] as string[], api: [] as string[], unknown: [] as string[] };
  for (const s of new Set(scope.split(' ').filter(Boolean))) {
    if (known.identity.has(s)) out.identity.push(s);
    else if (known.api.has(s)) out.api.push(s);
    else out.unknown.push(s);
  }
  return out;
}
