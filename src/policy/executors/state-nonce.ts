// EP-3: `state` and `nonce` are included in authorisation requests. Only this check
// enforces them (the library leaves both optional for code flows). The redirect URI half
// of EP-3 is src/policy/executors/redirect-uris.ts, which owns the rule's report line.
import type { Executor } from './types.js';

/** EP-3; SMART apps built with fhirclient send no nonce by themselves, so the text says how (OIDC-9). */
export const NONCE_REQUIRED =
  'nonce is required: send a fresh random nonce with every authorization request; with fhirclient, pass noRedirect: true to authorize, add &nonce=<random> to the URL it returns, then redirect (EP-3)';

export const stateNonce: Executor = {
  name: 'state-nonce',
  libraryMessages: [
    { pattern: /missing required parameter '(nonce|state|redirect_uri)'/i, rule: 'EP-3' },
  ],
  // EP-3's report line is the redirect-uris executor's (one line per rule); it names this check.
  report: [],
  authorizationRequest(_profile, facts) {
    if (!facts.state) return { error: 'invalid_request', description: 'state is required (EP-3)' };
    if (!facts.nonce) return { error: 'invalid_request', description: NONCE_REQUIRED };
    return undefined;
  },
};
