// OIDC-6, OIDC-7: what a consent page says about each scope, in plain language, from
// the deployment file; which ones the person may untick; which claims each releases.
import type { Config } from '../config/load.js';
import { BUILT_IN_SCOPES, claimsOfScopes, scopeClaims } from '../policy/scopes.js';
import type { Access } from './ledger.js';
import { describeSmartScope, looksSmart, scopeOfServer, SMART_CONTEXT_TEXT } from '../policy/smart-scopes.js';

export interface ScopeLine {
  /** form value identifying this line (see keyOf) */
  key: string;
  scope: string;
  description: string;
  claims: string[];
  /** the API it is for, when it is an API scope */
  api?: string | undefined;
  /** the API's resource indicator, when it is an API scope */
  resource?: string | undefined;
  optional: boolean;
}

export const BUILT_IN: Record<string, string> = {
  openid: 'Confirm who you are (a pseudonymous identifier for you)',
  offline_access: 'Keep access while you are not using the application (until you withdraw it)',
};

/** `oidc:<scope>` or `api:<indicator>:<scope>` — the value of a consent checkbox. */
export function keyOf(scope: string, resource?: string): string {
  return resource ? `api:${resource} ${scope}` : `oidc:${scope}`;
}

/**
 * OIDC-3, OIDC-9: the identity scopes that exist here — the library's two, then each row of
 * the one claims table (the file's scopes; SMART's fhirUser and launch scopes once a FHIR
 * server is configured). The library's `scopes` option and smart-configuration read it.
 */
export function identityScopes(config: Config): string[] {
  return [...new Set([...BUILT_IN_SCOPES, ...scopeClaims(config).keys()])];
}

/** The claims the deployment's scopes release (OIDC-6), from the one table (src/policy/scopes.ts). */
export function claimsOf(config: Config, scopes: readonly string[]): string[] {
  return claimsOfScopes(config, scopes);
}

/**
 * The one split of a request (authorization or CIBA) into identity scopes the deployment
 * knows and, per resource indicator, the API scopes that API defines (OIDC-7: the person
 * is asked about each). A scope neither knows is left out: it is granted to nobody.
 */
export function splitScopes(config: Config, requested: readonly string[], indicators: readonly string[]): Access {
  const identity = new Set(identityScopes(config));
  const scopes = requested.filter((s) => identity.has(s));
  const resources: Record<string, string[]> = {};
  for (const indicator of indicators) {
    const api = config.resourceServers.find((r) => r.identifier === indicator);
    // OIDC-9: a FHIR server's SMART scopes are granted as asked when a declared one covers them (as the library is told).
    const ofApi = (s: string) => (api?.fhir ? scopeOfServer(Object.keys(api.scopes), s) : api !== undefined && Object.hasOwn(api.scopes, s));
    const apiScopes = requested.filter(ofApi);
    if (apiScopes.length) resources[indicator] = apiScopes;
  }
  return { scopes, claims: claimsOf(config, scopes), resources };
}

export function describeScopes(config: Config, oidcScopes: readonly string[], resourceScopes: Readonly<Record<string, readonly string[]>>): ScopeLine[] {
  const lines: ScopeLine[] = oidcScopes.map((scope) => {
    const doc = config.scopes[scope];
    return {
      key: keyOf(scope),
      scope,
      description: doc?.description ?? BUILT_IN[scope] ?? SMART_CONTEXT_TEXT[scope as keyof typeof SMART_CONTEXT_TEXT] ?? scope,
      claims: [...(scopeClaims(config).get(scope) ?? [])],
      // openid and offline_access are what the sign-in itself needs: never optional.
      optional: doc?.optional ?? false,
    };
  });
  for (const [indicator, scopes] of Object.entries(resourceScopes)) {
    const api = config.resourceServers.find((s) => s.identifier === indicator);
    for (const scope of scopes) {
      // OIDC-9: a FHIR server's SMART scopes in plain words (granular ones too); the person may untick them.
      const smart = Boolean(api?.fhir) && looksSmart(scope);
      const description = api?.scopes[scope] ?? (smart ? describeSmartScope(scope) : undefined) ?? scope;
      lines.push({ key: keyOf(scope, indicator), scope, description, claims: [], api: api?.name ?? indicator, resource: indicator, optional: smart });
    }
  }
  return lines;
}

export function describeAccess(config: Config, access: Access): ScopeLine[] {
  return describeScopes(config, access.scopes, access.resources);
}
