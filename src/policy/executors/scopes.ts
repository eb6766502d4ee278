// OIDC-6, OIDC-3: a client's registered scopes. Registration: `scope` is well-formed and
// lists only scopes the deployment offers (identity scopes and API scopes alike).
// Authorization request: no scope beyond the registration (the library refuses one first;
// this is the backstop). Token request: no API scope beyond it (src/provider/hooks.ts).
// Start-up: the file cannot redefine the library's own scopes.
import type { Problem } from '../../config/errors.js';
import { BUILT_IN_SCOPES, SCOPE_TOKEN, splitScope, type KnownScopes } from '../scopes.js';
import type { ClientMetadata, Executor, Refusal } from './types.js';

/**
 * Everything a client registered in `scope` (RFC 7591). The library accepts only
 * identity scopes there, so API scopes travel beside them in `api_scope`.
 */
export function registeredScope(meta: ClientMetadata): string | undefined {
  const parts = [meta.scope, meta.api_scope].filter((v): v is string => typeof v === 'string' && v !== '');
  return parts.length ? parts.join(' ') : undefined;
}

/** OIDC-6: what is wrong with a registered `scope`, if anything. */
export function scopeProblem(scope: string, known: KnownScopes): Problem | undefined {
  const malformed = scope.split(' ').filter((s) => s !== '' && !SCOPE_TOKEN.test(s));
  if (malformed.length || /^ | $| {2}/.test(scope)) return { field: 'scope', message: 'must be scope tokens separated by single spaces (RFC 6749 §3.3)', rule: 'OIDC-6' };
  const { unknown } = splitScope(scope, known);
  if (unknown.length) return { field: 'scope', message: `lists scopes this deployment does not offer: ${unknown.join(' ')}`, rule: 'OIDC-6' };
  return undefined;
}

/**
 * OIDC-3: the claims parameter (already parsed and shaped by the library) may ask only for
 * `acr` in the ID token, the level of assurance (AUTH-1). Identity claims come from granted
 * scopes alone; `acr` is not a /userinfo claim, so nothing may be asked of /userinfo.
 */
export function claimsParameterRefusal(claims: { id_token?: unknown; userinfo?: unknown }): Refusal | undefined {
  const names = (container: 'id_token' | 'userinfo', members: unknown) =>
    members && typeof members === 'object' ? Object.keys(members).map((claim) => `${container}.${claim}`) : [];
  const asked = [...names('id_token', claims.id_token), ...names('userinfo', claims.userinfo)].filter((n) => n !== 'id_token.acr');
  if (!asked.length) return undefined;
  return { error: 'invalid_request', description: `the claims parameter may ask only for id_token.acr, not ${asked.join(', ')}: identity claims come from the scopes granted (OIDC-3)` };
}

export const scopes: Executor = {
  name: 'scopes',
  report: [
    { rule: 'OIDC-3', mechanism: 'the library releases only the claims of granted scopes; the policy refuses scopes outside a client\'s registration and a claims parameter asking for anything but the ID token\'s acr, and start-up refuses a file that redefines openid or offline_access (src/policy/executors/scopes.ts); consent is asked per scope' },
  ],
  // OIDC-3: `openid` releases the subject only, `offline_access` nothing: a file cannot
  // make either release claims (scopes.openid could otherwise hand out the NHI number).
  checkDeployment: (config) =>
    BUILT_IN_SCOPES.filter((scope) => Object.hasOwn(config.scopes, scope)).map((scope) => ({ field: `scopes.${scope}`, message: `"${scope}" is built in and cannot be redefined`, rule: 'OIDC-3' })),
  checkClient(meta, _client, ctx) {
    const scope = registeredScope(meta);
    const problem = scope !== undefined && ctx.scopes ? scopeProblem(scope, ctx.scopes) : undefined;
    return problem ? [problem] : [];
  },
  authorizationRequest(_profile, facts) {
    if (!facts.registeredScopes) return undefined;
    const extra = [...facts.scopes].filter((s) => s !== 'openid' && !facts.registeredScopes?.has(s));
    return extra.length ? { error: 'invalid_scope', description: `scope not registered for this client: ${extra.join(' ')} (OIDC-3)` } : undefined;
  },
};
