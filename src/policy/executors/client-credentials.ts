// GR-6: client_credentials is system-to-system. Registration: confidential clients only,
// and a SENSITIVE one authenticates with a key. Token request: no person is signed in, so
// nothing that identifies a person or acts for one may be granted with it: identity scopes
// (openid, the deployment's claim scopes, offline_access, SMART's fhirUser and launch
// context), SMART `patient/…` and `user/…` scopes, and API scopes the deployment file marks
// `actsForPerson`. SMART `system/…` and other API scopes stay available.
import type { ResourceServerConfig } from '../../config/schema.js';
import { ASYMMETRIC_AUTH_METHODS } from '../classification.js';
import type { Executor, Refusal, TokenRequestContext } from './types.js';

const IDENTITY_SCOPES = new Set(['openid', 'offline_access', 'online_access', 'fhirUser', 'launch']);
const PERSON_PREFIXES = /^(patient|user|launch)\//;

export type PersonScopeContext = TokenRequestContext;

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

export const clientCredentials: Executor = {
  name: 'client-credentials',
  report: [
    { rule: 'GR-6', mechanism: 'registration refuses client_credentials for public clients, and for SENSITIVE without asymmetric authentication; the token endpoint refuses it identity scopes, SMART patient/ and user/ scopes and API scopes marked actsForPerson (src/policy/executors/client-credentials.ts)' },
  ],
  checkClient(_meta, { classification, profile, authMethod, isPublic, grantTypes }) {
    if (!grantTypes.includes('client_credentials')) return [];
    if (isPublic) return [{ field: 'grant_types', message: 'client_credentials is for confidential clients only', rule: 'GR-6' }];
    if (profile.clientCredentialsAuthMethods.includes(authMethod)) return [];
    return [{ field: 'token_endpoint_auth_method', message: `client_credentials for ${classification} needs ${ASYMMETRIC_AUTH_METHODS.join(', ')}`, rule: 'GR-6' }];
  },
  tokenRequest(facts, ctx) {
    return facts.grantType === 'client_credentials' ? checkClientCredentialsScopes(facts.scopes, ctx) : undefined;
  },
};
