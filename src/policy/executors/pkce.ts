// GR-8, EP-1: PKCE with S256 for every authorisation-code flow, for every client. The
// library enforces it first (pkce.required answers true; v9 knows only S256); the
// authorization-request check is the backstop, and owns the rule's report line.
import type { Executor } from './types.js';

/** The library's pkce.required: always. */
export const pkceRequired = (): boolean => true;

export const pkce: Executor = {
  name: 'pkce',
  report: [
    { rule: 'GR-8', mechanism: 'pkce.required always answers true and v9 knows only S256; the profile sets require_pushed_authorization_requests, and the policy refuses an unpushed request or a missing S256 challenge (src/policy/executors/pkce.ts, src/policy/executors/par.ts)' },
    { rule: 'EP-1', mechanism: 'the library refuses unregistered clients; pkce.required always answers true and v9 knows only S256; the policy refuses a code request without S256 (src/policy/executors/pkce.ts)' },
  ],
  authorizationRequest(_profile, facts) {
    const rt = facts.responseType ?? '';
    if (!rt.split(' ').includes('code') || facts.codeChallengeMethod === 'S256') return undefined;
    return {
      error: 'invalid_request',
      description: facts.codeChallengeMethod === undefined ? 'PKCE is required: send code_challenge with code_challenge_method=S256 (GR-8)' : 'only code_challenge_method=S256 is allowed (GR-8)',
    };
  },
};
