// EP-3: `state` and `nonce` are included in authorisation requests. Only this check
// enforces them (the library leaves both optional for code flows).
import type { Executor } from './types.js';

export const stateNonce: Executor = {
  name: 'state-nonce',
  report: [
    {
      rule: 'EP-3',
      mechanism:
        'the library compares redirect_uri exactly and never lets it be omitted (allowOmittingSingleRegisteredRedirectUri off, PAR takes registered URIs only); registration refuses wildcards and fragments (src/policy/executors/redirect-uris.ts); the authorization policy refuses a request without state or nonce (src/policy/executors/state-nonce.ts)',
    },
  ],
  authorizationRequest(_profile, facts) {
    if (!facts.state) return { error: 'invalid_request', description: 'state is required (EP-3)' };
    if (!facts.nonce) return { error: 'invalid_request', description: 'nonce is required (EP-3)' };
    return undefined;
  },
};
