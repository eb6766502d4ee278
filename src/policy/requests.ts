// EP-1, EP-3, GR-4, GR-8, OIDC-1: an authorization request against the client's profile.
// Pure: request facts in, the OAuth error to answer with (or nothing) out.
//
// Which enforcement is the backstop: the library runs this last (extraParams), after its
// own checks. state, nonce (code flows) and openid (OIDC-1 for every client) are enforced
// here only. The response type (against the client's registration), PAR (the
// require_pushed_authorization_requests that applyProfile sets), PKCE S256 (pkce.required)
// and the client's registered scopes are refused by the library first; here they are the
// backstop against a registration stored before the deployment's profile changed, and
// test/unit/policy-requests.test.ts tests each of them directly.
import type { Profile } from './classification.js';

export interface AuthorizationFacts {
  responseType: string | undefined;
  scopes: ReadonlySet<string>;
  nonce: string | undefined;
  state: string | undefined;
  codeChallengeMethod: string | undefined;
  /** the request arrived through /par (a request_uri from it) */
  pushed: boolean;
  /** the scopes the client registered (RFC 7591 `scope`); undefined = no limit beyond the provider's */
  registeredScopes: ReadonlySet<string> | undefined;
}

/** EP-3; SMART apps built with fhirclient send no nonce by themselves, so the text says how (OIDC-9). */
export const NONCE_REQUIRED =
  'nonce is required: send a fresh random nonce with every authorization request; with fhirclient, pass noRedirect: true to authorize, add &nonce=<random> to the URL it returns, then redirect (EP-3)';

export interface Refusal {
  error: 'invalid_request' | 'unsupported_response_type' | 'invalid_scope' | 'invalid_target' | 'unauthorized_client';
  description: string;
}

export function checkAuthorizationRequest(profile: Profile, facts: AuthorizationFacts): Refusal | undefined {
  const rt = facts.responseType ?? '';
  if (!profile.responseTypes.includes(rt)) {
    return { error: 'unsupported_response_type', description: `response_type "${rt}" is not allowed for this client (GR-4)` };
  }
  if (profile.par === 'required' && !facts.pushed) {
    return { error: 'invalid_request', description: 'this client must push its authorization request to /par first (GR-8)' };
  }
  if (rt.split(' ').includes('code') && facts.codeChallengeMethod !== 'S256') {
    return {
      error: 'invalid_request',
      description: facts.codeChallengeMethod === undefined ? 'PKCE is required: send code_challenge with code_challenge_method=S256 (GR-8)' : 'only code_challenge_method=S256 is allowed (GR-8)',
    };
  }
  if (!facts.state) return { error: 'invalid_request', description: 'state is required (EP-3)' };
  if (!facts.nonce) return { error: 'invalid_request', description: NONCE_REQUIRED };
  if (profile.openidRequired && !facts.scopes.has('openid')) {
    return { error: 'invalid_scope', description: 'the openid scope is required for this client (OIDC-1)' };
  }
  if (facts.registeredScopes) {
    const extra = [...facts.scopes].filter((s) => s !== 'openid' && !facts.registeredScopes?.has(s));
    if (extra.length) return { error: 'invalid_scope', description: `scope not registered for this client: ${extra.join(' ')} (OIDC-3)` };
  }
  return undefined;
}
