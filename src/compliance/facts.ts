// What the report reads off the deployment: the oidc-provider Configuration the IdP
// would assemble from it (built here with inert stand-ins for store, accounts and keys,
// nothing runs), and a summary of each static client as the policy left it.
import type { Configuration } from 'oidc-provider';
import type { Config } from '../config/load.js';
import type { DeploymentPolicy } from '../policy/deployment.js';
import { buildConfiguration } from '../provider/configuration.js';

export interface ProviderFacts {
  responseTypes: string[];
  clientAuthMethods: string[];
  /** features.<name>.enabled of the assembled configuration */
  features: {
    introspection: boolean;
    revocation: boolean;
    userinfo: boolean;
    pushedAuthorizationRequests: boolean;
    registration: boolean;
    dPoP: boolean;
    mTLS: boolean;
    ciba: boolean;
    encryption: boolean;
    claimsParameter: boolean;
    clientCredentials: boolean;
    devInteractions: boolean;
    fapi: boolean;
    jwtResponseModes: boolean;
  };
  idTokenSigningAlgs: string[];
  pkceRequired: boolean;
  conformIdTokenClaims: boolean;
  rotateRefreshToken: boolean;
  /** OIDC-3: the claims parameter hook asked about an identity claim (email) and about acr */
  claimsParameter: { identityClaims: boolean; acr: boolean };
  /** issueRefreshToken asked about a public client holding offline_access */
  refreshTokenForPublic: boolean;
  /** issueRefreshToken asked about a confidential client holding offline_access */
  refreshTokenForConfidential: boolean;
  /** seconds, from the ttl functions themselves */
  ttl: {
    authorizationCode: number | undefined;
    accessToken: number | undefined;
    clientCredentials: number | undefined;
    /** a fresh refresh-token chain */
    refreshToken: number | undefined;
    /** per API identifier, the access-token TTL a token for it gets */
    perApi: Record<string, number | undefined>;
  };
}

export interface ClientFacts {
  clientId: string;
  classification: string;
  authMethod: string;
  isPublic: boolean;
  responseTypes: string[];
  grantTypes: string[];
  dpop: boolean;
  mtls: boolean;
  parRequired: boolean;
  /** the scopes the client registered, if it limited them */
  scope: string | undefined;
  /** length of an inline client_secret (never the value) */
  secretLength: number | undefined;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function clientFacts(meta: Record<string, unknown>): ClientFacts {
  const authMethod = typeof meta.token_endpoint_auth_method === 'string' ? meta.token_endpoint_auth_method : 'client_secret_basic';
  return {
    clientId: String(meta.client_id),
    classification: typeof meta.classification === 'string' ? meta.classification : '(none)',
    authMethod,
    isPublic: authMethod === 'none',
    responseTypes: strings(meta.response_types),
    grantTypes: strings(meta.grant_types),
    dpop: meta.dpop_bound_access_tokens === true,
    mtls: meta.tls_client_certificate_bound_access_tokens === true || authMethod.includes('tls_client_auth'),
    parRequired: meta.require_pushed_authorization_requests === true,
    scope: typeof meta.scope === 'string' ? meta.scope : undefined,
    secretLength: typeof meta.client_secret === 'string' ? meta.client_secret.length : undefined,
  };
}

// Stand-ins: buildConfiguration only stores these; nothing here is ever called.
const inertStore = {
  kind: 'memory' as const,
  adapter: () => {
    throw new Error('the compliance report opens no store');
  },
  ready: () => Promise.resolve(false),
  close: () => Promise.resolve(),
  stats: () => ({}),
};
const inertAccounts = { authenticate: () => Promise.resolve(undefined), find: () => Promise.resolve(undefined) };

/** The library's objects as far as the probed hooks read them. */
const fakeClient = (authMethod: string) => ({ clientAuthMethod: authMethod, grantTypeAllowed: () => true, metadata: () => ({}) });
const ctxStub = { oidc: {} };

function ttlOf(value: unknown, token: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'function') return undefined;
  const result: unknown = (value as (ctx: unknown, token: unknown, client: unknown) => unknown)(ctxStub, token, fakeClient('client_secret_post'));
  return typeof result === 'number' ? result : undefined;
}

function enabled(feature: unknown): boolean {
  return typeof feature === 'object' && feature !== null && (feature as { enabled?: unknown }).enabled === true;
}

/** OIDC-3: what the library's claims parameter hook lets through, asked as a request would. */
function claimsParameterAccepts(feature: unknown): { identityClaims: boolean; acr: boolean } {
  if (!enabled(feature)) return { identityClaims: false, acr: false };
  const hook = (feature as { assertClaimsParameter?: (ctx: unknown, claims: unknown, client: unknown) => unknown }).assertClaimsParameter;
  const accepts = (claims: unknown) => {
    if (!hook) return true;
    try {
      hook(ctxStub, claims, undefined);
      return true;
    } catch {
      return false;
    }
  };
  return { identityClaims: accepts({ id_token: { email: { essential: true } } }), acr: accepts({ id_token: { acr: { essential: true } } }) };
}

export function providerFacts(config: Config, policy: DeploymentPolicy): ProviderFacts {
  const conf: Configuration = buildConfiguration({
    config,
    store: inertStore,
    accounts: inertAccounts,
    jwks: { keys: [] },
    clients: policy.clients,
    options: policy.options,
  });
  const f = (conf.features ?? {}) as Record<string, unknown>;
  const ttl = (conf.ttl ?? {}) as Record<string, unknown>;
  const issue = conf.issueRefreshToken as ((ctx: unknown, client: unknown, code: unknown) => unknown) | undefined;
  const offline = { scopes: new Set(['openid', 'offline_access']) };
  const now = Math.floor(Date.now() / 1000);
  const required = conf.pkce?.required as ((ctx: unknown, client: unknown) => unknown) | undefined;

  return {
    responseTypes: [...(conf.responseTypes ?? [])],
    clientAuthMethods: [...(conf.clientAuthMethods ?? [])],
    features: {
      introspection: enabled(f.introspection),
      revocation: enabled(f.revocation),
      userinfo: enabled(f.userinfo),
      pushedAuthorizationRequests: enabled(f.pushedAuthorizationRequests),
      registration: enabled(f.registration),
      dPoP: enabled(f.dPoP),
      mTLS: enabled(f.mTLS),
      ciba: enabled(f.ciba),
      encryption: enabled(f.encryption),
      claimsParameter: enabled(f.claimsParameter),
      clientCredentials: enabled(f.clientCredentials),
      devInteractions: enabled(f.devInteractions),
      fapi: enabled(f.fapi),
      jwtResponseModes: enabled(f.jwtResponseModes),
    },
    idTokenSigningAlgs: strings(conf.enabledJWA?.idTokenSigningAlgValues),
    pkceRequired: required ? required(ctxStub, fakeClient('none')) === true : false,
    conformIdTokenClaims: conf.conformIdTokenClaims !== false,
    rotateRefreshToken: conf.rotateRefreshToken === true,
    claimsParameter: claimsParameterAccepts(f.claimsParameter),
    refreshTokenForPublic: issue ? issue(ctxStub, fakeClient('none'), offline) === true : true,
    refreshTokenForConfidential: issue ? issue(ctxStub, fakeClient('client_secret_post'), offline) === true : true,
    ttl: {
      authorizationCode: ttlOf(ttl.AuthorizationCode, {}),
      accessToken: ttlOf(ttl.AccessToken, {}),
      clientCredentials: ttlOf(ttl.ClientCredentials, {}),
      refreshToken: ttlOf(ttl.RefreshToken, { iiat: now }),
      perApi: Object.fromEntries(
        config.resourceServers.map((api) => [api.identifier, ttlOf(ttl.AccessToken, { resourceServer: { accessTokenTTL: api.accessTokenTTL } })]),
      ),
    },
  };
}
