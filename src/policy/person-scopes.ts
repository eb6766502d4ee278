// GR-6: client_credentials is system-to-system — no person signed in, so nothing that
// identifies a person or acts for one may be granted with it: identity scopes (openid,
// the deployment's claim scopes, offline_access, SMART's fhirUser and launch context),
// SMART `patient/…` and `user/…` scopes, and API scopes the deployment file marks
// `actsForPerson`. SMART `system/…` and other API scopes stay available.
import type { ResourceServerConfig } from '../config/schema.js';
import type { Refusal } from './requests.js';

const IDENTITY_SCOPES = new Set(['openid', 'offline_access', 'online_access', 'fhirUser', 'launch']);
const PERSON_PREFIXES = /^(patient|user|launch)\//;

export interface PersonScopeContext {
  /** the deployment's identity (claim) scopes: `scopes` in the deployment file */
  identityScopes: ReadonlySet<string>;
  /** API scopes marked `actsForPerson` */
  personApiScopes: ReadonlySet<string>;
}

export function personScopeContext(identityScopes: Iterable<string>, servers: readonly ResourceServerConfig[]): PersonScopeContext {
  return { identityScopes: new Set(identityScopes), personApiScopes: new Set(servers.flatMap((api) => api.personScopes)) };
}

export function needsPerson(scope: string, ctx: PersonScopeContext): boolean {
  return IDENTITY_SCOPES.has(scope) || PERSON_PREFIXES.test(scope) || ctx.identityScopes.has(scope) || ctx.personApiScopes.has(scope);
}

/** The refusal for a client_credentials request that asks for a person's scopes, if it does. */
export function checkClientCredentialsScopes(requested: Iterable<string>, ctx: PersonScopeContext): Refusal | undefined {
  const refused = [...requested].filter((s) => needsPerson(s, ctx));
  if (!refused.length) return undefined;
  return {
    error: 'invalid_scope',
    description: `client_credentials acts for no person, so it cannot grant ${refused.join(' ')}; ask for system/… or other API scopes, or sign the person in (GR-6)`,
  };
}
