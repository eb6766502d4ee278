// GR-8 (PAR part), EP-8: a profile that requires pushed authorization requests (SENSITIVE;
// IN-CONFIDENCE with features.parForInConfidence). Start-up and registration: set
// require_pushed_authorization_requests so the library enforces it, and refuse an explicit
// `false` (never reconcile silently). Authorization request: the backstop.
import type { Executor } from './types.js';

const requirePar: Executor['fillIn'] = (meta, profile) =>
  profile.par === 'required' && meta.require_pushed_authorization_requests === undefined ? { ...meta, require_pushed_authorization_requests: true } : meta;

export const par: Executor = {
  name: 'par',
  report: [
    { rule: 'EP-8', mechanism: 'features.pushedAuthorizationRequests is always on; profiles set require_pushed_authorization_requests and the policy refuses an unpushed request (src/policy/executors/par.ts)' },
  ],
  fillIn: requirePar,
  fillInRegistration: requirePar,
  checkClient(meta, { classification, profile }) {
    if (meta.require_pushed_authorization_requests === false && profile.par === 'required') {
      return [{ field: 'require_pushed_authorization_requests', message: `PAR is required for ${classification} clients`, rule: 'GR-8' }];
    }
    return [];
  },
  // Backstop: the library refuses an unpushed request first for a client registered with
  // require_pushed_authorization_requests; this holds for one stored before the profile changed.
  authorizationRequest(profile, facts) {
    if (profile.par !== 'required' || facts.pushed) return undefined;
    return { error: 'invalid_request', description: 'this client must push its authorization request to /par first (GR-8)' };
  },
};
