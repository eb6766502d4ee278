// OIDC-9: SMART App Launch discovery for FHIR APIs (/.well-known/smart-configuration),
// describing exactly what this deployment offers: standalone launch with OpenID Connect,
// PKCE S256, and the SMART v2 scopes its FHIR resource servers declare.
import Router from '@koa/router';
import type { Config } from '../config/load.js';
import { APPROVED_SIGNING } from '../policy/algorithms.js';

const SMART_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]+)\.(c?r?u?d?s?|read|write|\*)$/;

export function smartScopes(config: Config): string[] {
  return config.resourceServers.flatMap((api) => Object.keys(api.scopes)).filter((s) => SMART_SCOPE.test(s));
}

export function smartConfiguration(config: Config, clientAuthMethods: readonly string[], responseTypes: readonly string[]): Record<string, unknown> {
  const base = config.issuer.replace(/\/$/, '');
  const capabilities = ['launch-standalone', 'sso-openid-connect', 'client-confidential-asymmetric', 'permission-v2', 'permission-patient'];
  if (clientAuthMethods.includes('none')) capabilities.push('client-public');
  if (clientAuthMethods.includes('client_secret_post')) capabilities.push('client-confidential-symmetric');
  return {
    issuer: config.issuer,
    jwks_uri: `${base}/jwks`,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    introspection_endpoint: `${base}/introspect`,
    revocation_endpoint: `${base}/revoke`,
    grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
    token_endpoint_auth_methods_supported: clientAuthMethods.filter((m) => m !== 'none'),
    token_endpoint_auth_signing_alg_values_supported: [...APPROVED_SIGNING],
    scopes_supported: ['openid', 'offline_access', ...Object.keys(config.scopes), ...smartScopes(config)],
    response_types_supported: responseTypes,
    code_challenge_methods_supported: ['S256'],
    capabilities,
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
