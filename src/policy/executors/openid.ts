// OIDC-1: IN-CONFIDENCE and SENSITIVE access uses OpenID Connect (and GR-4: plain OAuth 2
// code without openid is refused for every class). Registration: a client that signs
// people in registers `openid` (the library refuses a scope the registration leaves out, so
// every sign-in would fail). Authorization request: `openid` is required; only this check
// enforces it.
import { scopeProblem, registeredScope } from './scopes.js';
import type { Executor } from './types.js';

export const openid: Executor = {
  name: 'openid',
  report: [
    { rule: 'OIDC-1', mechanism: 'their authorization requests are refused without the openid scope (src/policy/executors/openid.ts), and every response type their profile allows yields an ID token' },
  ],
  checkClient(meta, { profile, usesAuthorize }, ctx) {
    const scope = registeredScope(meta);
    // A malformed or unknown scope is the scopes executor's to report, once.
    if (scope === undefined || !ctx.scopes || scopeProblem(scope, ctx.scopes)) return [];
    if (!usesAuthorize || !profile.openidRequired || scope.split(' ').includes('openid')) return [];
    return [{ field: 'scope', message: 'must include openid: every sign-in asks for it', rule: 'OIDC-1' }];
  },
  authorizationRequest(profile, facts) {
    if (!profile.openidRequired || facts.scopes.has('openid')) return undefined;
    return { error: 'invalid_scope', description: 'the openid scope is required for this client (OIDC-1)' };
  },
};
