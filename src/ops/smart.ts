// OIDC-9: SMART App Launch discovery for FHIR APIs (/.well-known/smart-configuration),
// describing exactly what this deployment offers and nothing that does not work: each
// capability below is listed only when the deployment has what makes it work.
import Router from '@koa/router';
import type { Config } from '../config/load.js';
import { identityScopes } from '../consent/scopes.js';
import { clientAssertionAlgs } from '../policy/algorithms.js';

const SMART_SCOPE = /^(patient|user|system)\//;

export function smartScopes(config: Config): string[] {
  return config.resourceServers.flatMap((api) => Object.keys(api.scopes)).filter((s) => SMART_SCOPE.test(s));
}

/** SMART 2.2 capability strings, each only when it works here. */
export function smartCapabilities(config: Config, clientAuthMethods: readonly string[]): string[] {
  const fhir = config.resourceServers.some((api) => api.fhir);
  const declared = smartScopes(config);
  const caps = ['sso-openid-connect'];
  if (fhir) {
    caps.push('launch-standalone', 'context-standalone-patient', 'permission-v1', 'permission-v2');
    if (config.smart.ehrLaunchers.length) caps.push('launch-ehr', 'context-ehr-patient', 'context-ehr-encounter', 'context-banner', 'context-style');
    if (declared.some((s) => s.startsWith('patient/'))) caps.push('permission-patient');
    if (declared.some((s) => s.startsWith('user/'))) caps.push('permission-user');
    // TOK-5, GR-7: refresh tokens for confidential clients granted offline_access.
    caps.push('permission-offline');
  }
  if (clientAuthMethods.includes('private_key_jwt')) caps.push('client-confidential-asymmetric');
  // GR-3: public clients (PKCE) for PUBLIC APIs. SMART's symmetric profile is HTTP Basic,
  // which EP-2 does not approve here, so client-confidential-symmetric is never claimed.
  if (clientAuthMethods.includes('none')) caps.push('client-public');
  return caps;
}

export function smartConfiguration(config: Config, clientAuthMethods: readonly string[], responseTypes: readonly string[]): Record<string, unknown> {
  const base = config.issuer.replace(/\/$/, '');
  return {
    issuer: config.issuer,
    jwks_uri: `${base}/jwks`,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    userinfo_endpoint: `${base}/userinfo`,
    introspection_endpoint: `${base}/introspect`,
    revocation_endpoint: `${base}/revoke`,
    management_endpoint: `${base}/account/consents`,
    ...(config.features.registration ? { registration_endpoint: `${base}/register` } : {}),
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: clientAuthMethods.filter((m) => m !== 'none'),
    // TOK-9: what private_key_jwt accepts here (ES384 by default; RS384 only when opted in).
    token_endpoint_auth_signing_alg_values_supported: clientAssertionAlgs(config.algorithms.clientAuthentication).asymmetric,
    scopes_supported: [...identityScopes(config), ...smartScopes(config)],
    response_types_supported: responseTypes,
    code_challenge_methods_supported: ['S256'],
    capabilities: smartCapabilities(config, clientAuthMethods),
  };
}

export function smartRoutes(config: Config, clientAuthMethods: readonly string[], responseTypes: readonly string[]): Router {
  const router = new Router();
  const body = smartConfiguration(config, clientAuthMethods, responseTypes);
  router.get('/.well-known/smart-configuration', (ctx) => {
    ctx.set('cache-control', 'public, max-age=300');
    ctx.body = body;
  });
  return router;
}
