// OIDC-3, OIDC-6: which claims each scope releases, as the deployment file documents
// them, and which scopes exist at all. `openid` releases only the subject.
import type { ResourceServerConfig, ScopeDoc } from '../config/schema.js';

/** The library's own scopes: their meaning is fixed, a deployment cannot redefine them. */
export const BUILT_IN_SCOPES: readonly string[] = ['openid', 'offline_access'];

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

type ScopeDocs = Readonly<Record<string, ScopeDoc>>;
const tables = new WeakMap<ScopeDocs, ReadonlyMap<string, readonly string[]>>();

/**
 * OIDC-3, OIDC-6: the one table of claims per scope — what each scope the deployment file
 * declares releases. The library's mapping (claimsByScope) and the consent page's lines
 * and records (src/consent/scopes.ts) both read it; built once per deployment.
 */
export function scopeClaims(scopes: ScopeDocs): ReadonlyMap<string, readonly string[]> {
  let table = tables.get(scopes);
  if (!table) {
    table = new Map(Object.entries(scopes).map(([scope, doc]) => [scope, Object.freeze([...doc.claims])]));
    tables.set(scopes, table);
  }
  return table;
}

/** The claims `requested` scopes release, each once (the subject is not a claim here). */
export function claimsOfScopes(scopes: ScopeDocs, requested: readonly string[]): string[] {
  const table = scopeClaims(scopes);
  return [...new Set(requested.flatMap((s) => table.get(s) ?? []))];
}

/** The library's `claims` option: the table, with `openid` releasing only the subject. */
export function claimsByScope(scopes: ScopeDocs): Record<string, string[]> {
  const out: Record<string, string[]> = { openid: ['sub'] };
  for (const [scope, claims] of scopeClaims(scopes)) out[scope] = [...claims];
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
