// OIDC-9: SMART App Launch as a deployment-wide executor: its start-up checks
// (src/policy/smart-deployment.ts) and the report line saying where SMART is enforced.
// The request-time decisions are the pure functions of src/policy/smart-scopes.ts and
// src/policy/smart-launch.ts, attached to the library in src/smart/provider.ts.
import { checkSmartDeployment } from '../smart-deployment.js';
import type { Executor } from './types.js';

export const smart: Executor = {
  name: 'smart',
  report: [
    {
      rule: 'OIDC-9',
      mechanism:
        'a SMART aud selects its FHIR server as a resource would and an unknown aud is refused; SMART v2 and v1 scopes are checked against the scopes the FHIR server declares (src/policy/smart-scopes.ts); launch values are single-use and bound to their app, launch context is bound to the grant (src/policy/smart-launch.ts, src/smart/)',
    },
  ],
  checkDeployment: checkSmartDeployment,
};
