// An authorization request (/authorize, /par) against the client's profile: the profile's
// executors that act on the request, in order (response-types, par, pkce, redirect-uris
// for state and nonce, openid, scopes). Pure: request facts in, the OAuth error to answer with (or nothing) out.
//
// Which enforcement is the backstop: the library runs this last (extraParams), after its
// own checks. state, nonce (EP-3) and openid (OIDC-1) are enforced here only; the response
// type, PAR, PKCE S256 and the registered scopes are refused by the library first, and
// here are the backstop against a registration stored before the deployment's profile
// changed (each executor says which it is; test/unit/policy-requests.test.ts tests each).
import type { Problem } from '../config/errors.js';
import { isClassification, profileFor, type Profile, type ProfileOptions } from './classification.js';
import { CLIENT_EXECUTORS, executorsFor } from './executors/index.js';
import type { AuthorizationFacts, ClientMetadata, Executor, Refusal, TokenRequestContext, TokenRequestFacts } from './executors/types.js';

export type { AuthorizationFacts, Refusal } from './executors/types.js';

export function checkAuthorizationRequest(profile: Profile, facts: AuthorizationFacts): Refusal | undefined {
  const executors: readonly Executor[] = profile.executors.map((name) => CLIENT_EXECUTORS[name]);
  for (const e of executors) {
    const refusal = e.authorizationRequest?.(profile, facts);
    if (refusal) return refusal;
  }
  return undefined;
}

/** /bc-authorize: the client against the CIBA rules again (executors/ciba.ts); a client without a class has no profile. */
export function checkCibaRequest(meta: ClientMetadata, options: ProfileOptions): Problem | undefined {
  const c = meta.classification;
  const executors = isClassification(c) ? executorsFor(c) : Object.values(CLIENT_EXECUTORS);
  const profile = isClassification(c) ? profileFor(c, options) : undefined;
  for (const e of executors) {
    const problem = e.cibaRequest?.(meta, profile);
    if (problem) return problem;
  }
  return undefined;
}

/** /token (and resource resolution): the class's token-request executors, in order; a client without a class gets them all. */
export function checkTokenRequest(classification: unknown, facts: TokenRequestFacts, ctx: TokenRequestContext): Refusal | undefined {
  const executors = isClassification(classification) ? executorsFor(classification) : Object.values(CLIENT_EXECUTORS);
  for (const e of executors) {
    const refusal = e.tokenRequest?.(facts, ctx);
    if (refusal) return refusal;
  }
  return undefined;
}
