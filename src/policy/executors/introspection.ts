// TOK-6, EP-5: who may learn what a token says at /introspect (RFC 7662 §4). The client
// the token was issued to, and the API the token is for (authenticated as the client the
// deployment file names in its resourceServers[] entry); to anyone else a token is
// simply `active: false`, so that one client cannot read another's tokens.
import type { Problem } from '../../config/errors.js';
import type { ResourceServerConfig } from '../../config/schema.js';
import { isClassification, rank } from '../classification.js';
import type { Executor } from './types.js';

export interface IntrospectionFacts {
  /** the authenticated caller's client_id */
  callerId: string;
  /** the caller authenticated with `none` (a public client) */
  callerPublic: boolean;
  /** the client the token was issued to */
  tokenClientId: string | undefined;
  /** the token's audience: the APIs it is for (none for a userinfo-only token) */
  audience: readonly string[];
}

export function mayIntrospect(servers: readonly ResourceServerConfig[], facts: IntrospectionFacts): boolean {
  if (facts.callerPublic) return false; // EP-5: introspection with client authentication only
  if (facts.tokenClientId !== undefined && facts.tokenClientId === facts.callerId) return true;
  return servers.some((api) => api.introspectionClientId === facts.callerId && facts.audience.includes(api.identifier));
}

/** The `aud` of a token as a list, whatever form the library keeps it in. */
export function audienceOf(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

/**
 * An API's introspection client must be a confidential static client at least as strongly
 * authenticated as the API's own class (a SENSITIVE API's reader uses private_key_jwt or mTLS).
 */
export function introspectionClientProblems(api: ResourceServerConfig, clients: readonly Record<string, unknown>[]): Problem[] {
  const id = api.introspectionClientId;
  if (id === undefined) return [];
  const client = clients.find((c) => c.client_id === id);
  if (!client) return [{ field: 'introspectionClientId', message: `"${id}" is not a client in clients[]`, rule: 'EP-5' }];
  if (client.token_endpoint_auth_method === 'none') {
    return [{ field: 'introspectionClientId', message: `"${id}" is a public client; introspection needs client authentication`, rule: 'EP-5' }];
  }
  if (!isClassification(client.classification) || rank(client.classification) < rank(api.classification)) {
    return [{ field: 'introspectionClientId', message: `"${id}" must be classified ${api.classification} or above to read this API's tokens`, rule: 'GR-2' }];
  }
  return [];
}

export const introspection: Executor = {
  name: 'introspection',
  report: [
    { rule: 'EP-5', mechanism: 'features.introspection is always on and its allowedPolicy refuses public clients and answers active:false to any client that is neither the token\'s own nor the introspectionClientId of the API in its audience (src/policy/executors/introspection.ts mayIntrospect)' },
  ],
  checkDeployment: (config) =>
    config.resourceServers.flatMap((api, i) => introspectionClientProblems(api, config.clients).map((p) => ({ ...p, field: `resourceServers[${i}].${p.field}` }))),
};
