// OIDC-9: the SMART parts of a deployment file, checked before start-up: FHIR servers'
// scopes are SMART scopes, the demo FHIR API is development-only and where the IdP serves
// it, EHR launchers are confidential clients, and fhirUser claims are FHIR references.
import type { Problem } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { isFhirUser } from './smart-launch.js';
import { looksSmart, parseSmartScope } from './smart-scopes.js';

export function checkSmartDeployment(config: Config): Problem[] {
  const problems: Problem[] = [];
  const issuer = config.issuer.replace(/\/$/, '');
  config.resourceServers.forEach((api, i) => {
    if (!api.fhir) return;
    const at = `resourceServers[${i}]`;
    for (const scope of Object.keys(api.scopes)) {
      if (looksSmart(scope) && !parseSmartScope(scope)) problems.push({ field: `${at}.scopes`, message: `"${scope}" is not a SMART scope (context/Type.cruds, or v1 .read/.write)`, rule: 'OIDC-9' });
    }
    if (api.fhir.demo) {
      if (config.mode !== 'development') problems.push({ field: `${at}.fhir.demo`, message: 'the demo FHIR API is for development mode only', rule: 'OIDC-9' });
      if (api.identifier.replace(/\/$/, '') !== `${issuer}/demo/fhir`) problems.push({ field: `${at}.identifier`, message: `the demo FHIR API is served at ${issuer}/demo/fhir: use that as its identifier`, rule: 'OIDC-9' });
    }
  });
  config.smart.ehrLaunchers.forEach((id, i) => {
    const client = config.clients.find((c) => c.client_id === id);
    const at = `smart.ehrLaunchers[${i}]`;
    if (!client) problems.push({ field: at, message: `"${id}" is not a client in clients[]`, rule: 'OIDC-9' });
    else if ((client as { token_endpoint_auth_method?: unknown }).token_endpoint_auth_method === 'none') {
      problems.push({ field: at, message: `"${id}" is a public client; an EHR that posts launch contexts must authenticate`, rule: 'GR-6' });
    } else if (!((client as { grant_types?: unknown }).grant_types as unknown[] | undefined)?.includes('client_credentials')) {
      problems.push({ field: at, message: `"${id}" must have the client_credentials grant: it gets the token it posts to /smart/launch that way`, rule: 'OIDC-9' });
    }
  });
  config.accounts.forEach((a, i) => {
    if (a.claims.fhirUser !== undefined && !isFhirUser(a.claims.fhirUser)) {
      problems.push({ field: `accounts[${i}].claims.fhirUser`, message: 'must be a FHIR reference such as Patient/123 or Practitioner/abc', rule: 'OIDC-9' });
    }
  });
  return problems;
}
