// Validated Config + policy → the oidc-provider Configuration. Every library default
// that breaks the guideline is set here, with the rule ID beside it.
import { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';
import type { Config, Jwks } from '../config/load.js';
import { identityScopes } from '../consent/scopes.js';
import { APPROVED_CONTENT_ENCRYPTION, APPROVED_KEY_MANAGEMENT, APPROVED_SIGNING, clientAssertionAlgs, enabledSigningAlgs } from '../policy/algorithms.js';
import { offeredResponseTypes, type ProfileOptions } from '../policy/classification.js';
import { clientCheckContext } from '../policy/deployment.js';
import { mayIssueRefreshToken } from '../policy/executors/grants.js';
import { fapiProfileFor } from '../policy/executors/id-token-hashes.js';
import { audienceOf, mayIntrospect } from '../policy/executors/introspection.js';
import { REVOCATION_REFUSED, revocationDecision } from '../policy/revocation.js';
import { accessTokenTtl, capsFor, refreshTokenTtl } from '../policy/executors/lifetimes.js';
import { pkceRequired } from '../policy/executors/pkce.js';
import { dpopNonceRequired } from '../policy/executors/sender-constraint.js';
import { claimsByScope } from '../policy/scopes.js';
import type { Store } from '../storage/store.js';
import { cibaFeature, cibaRequestTtl } from '../ciba/feature.js';
import { outgoingFetch } from '../ciba/notify.js';
import { rememberFailedFetches } from './fetch-failures.js';
import { fetchResponseBodyLimits } from './fetch-limits.js';
import { registrationPolicies } from '../registration/policies.js';
import { findAccountWith } from './accounts.js';
import { assertClaimsParameter, interactionPolicyFor, withAssuranceClaims } from './assurance.js';
import { authorizationPolicy, classificationOf, clientMetadataValidator, EXTRA_CLIENT_METADATA, resourceServerInfo, tokenRequestPolicy } from './hooks.js';
import { assertionClaimsCheck } from './client-auth.js';
import { clientAuthMethods, mtlsEndpointAliases, mtlsFeature } from './mtls.js';
import { logoutSource, postLogoutSuccessSource, renderError } from './pages.js';
import { smartStore } from '../smart/launch-store.js';
import { launchParam, smartDefaultResource, smartInteractionPolicy, smartResourceServerInfo, smartTokenClaims } from '../smart/provider.js';

export interface ProviderParts {
  config: Config;
  store: Store;
  accounts: AccountStore;
  jwks: Jwks;
  /** static clients, already checked against their profiles */
  clients: Record<string, unknown>[];
  options: ProfileOptions;
  hooks?: ProviderHooks;
}

/** Hooks supplied by other parts of the IdP (the consent ledger's remembered consents). */
export interface ProviderHooks {
  loadExistingGrant?: Configuration['loadExistingGrant'];
}

const epoch = () => Math.floor(Date.now() / 1000);

/** The library's endpoints, where this IdP serves them. */
export const ROUTES = {
  authorization: '/authorize',
  token: '/token',
  revocation: '/revoke',
  introspection: '/introspect',
  userinfo: '/userinfo',
  jwks: '/jwks',
  pushed_authorization_request: '/par',
  registration: '/register',
  backchannel_authentication: '/bc-authorize',
  end_session: '/logout',
} as const;

export function buildConfiguration(parts: ProviderParts): Configuration {
  const { config, store, accounts, jwks, clients, options } = parts;
  const caps = capsFor(config.lifetimes, config.deviations);
  const signingAlgs = enabledSigningAlgs(config.algorithms.idToken);
  const l = config.lifetimes;
  const asymmetric = [...APPROVED_SIGNING];
  const tokenRequest = tokenRequestPolicy(config);
  // OIDC-9: SMART's fhirUser and launch scopes join the identity scopes when a FHIR server is configured.
  const scopes = identityScopes(config);
  const smart = { config, store: smartStore(store), accounts };
  const assertionAlgs = clientAssertionAlgs(config.algorithms.clientAuthentication);

  return {
    adapter: (name: string) => store.adapter(name),
    clients: clients as unknown as Configuration['clients'],
    jwks: jwks,
    findAccount: findAccountWith(accounts),
    // OIDC-7: consents remembered across sessions (src/consent/grants.ts).
    ...(parts.hooks?.loadExistingGrant ? { loadExistingGrant: parts.hooks.loadExistingGrant } : {}),
    // The library's own, plus loopback ping in development (src/ciba/notify.ts); a failed GET
    // (a broken jwks_uri) is answered from memory for 30 s (src/provider/fetch-failures.ts).
    fetch: rememberFailedFetches(outgoingFetch(config)),
    // EP-2, OIDC-9: a size limit on fetched jwks_uri / sector_identifier_uri documents (src/provider/fetch-limits.ts).
    fetchResponseBodyLimits,

    // GR-1, GR-4: only the agreed response types.
    responseTypes: offeredResponseTypes(options) as Configuration['responseTypes'],
    // EP-2: the approved client authentications (mTLS joins with the mTLS feature).
    clientAuthMethods: clientAuthMethods(config) as Configuration['clientAuthMethods'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      // TOK-9: the library's defaults are RS256; ours are the first approved algorithm.
      id_token_signed_response_alg: signingAlgs[0] ?? 'ES256',
      authorization_signed_response_alg: signingAlgs[0] ?? 'ES256',
    },
    extraClientMetadata: {
      properties: EXTRA_CLIENT_METADATA, // GR-2; OIDC-6 api_scope; EP-10 allowed_resources
      validator: clientMetadataValidator(clientCheckContext(config)),
    },
    // EP-1, EP-3, GR-4, GR-8, OIDC-1, OIDC-3: the profile's authorization-request executors, after the library's own checks.
    // OIDC-9: SMART's aud (a FHIR server, resolved in defaultResource) and EHR launch value.
    extraParams: { state: authorizationPolicy(options), aud: null, launch: launchParam(smart.store) },
    // EP-2: short-lived client assertions with a single audience (src/provider/client-auth.ts).
    assertJwtClientAuthClaimsAndHeader: assertionClaimsCheck(config.issuer),
    // GR-8: PKCE always; v9 knows only S256 (src/policy/executors/pkce.ts).
    pkce: { required: pkceRequired },

    // TOK-9: approved algorithms only; never `none`, never HMAC for tokens we sign.
    enabledJWA: {
      idTokenSigningAlgValues: signingAlgs as never,
      userinfoSigningAlgValues: signingAlgs as never,
      introspectionSigningAlgValues: signingAlgs as never,
      authorizationSigningAlgValues: signingAlgs as never,
      requestObjectSigningAlgValues: asymmetric,
      // TOK-9: algorithms.clientAuthentication (RS256 only by opt-in); HMAC for client_secret_jwt.
      clientAuthSigningAlgValues: [...assertionAlgs.asymmetric, ...assertionAlgs.symmetric] as never,
      dPoPSigningAlgValues: ['ES256', 'PS256', 'EdDSA'] as never,
      idTokenEncryptionAlgValues: [...APPROVED_KEY_MANAGEMENT] as never,
      idTokenEncryptionEncValues: [...APPROVED_CONTENT_ENCRYPTION] as never,
      userinfoEncryptionAlgValues: [...APPROVED_KEY_MANAGEMENT] as never,
      userinfoEncryptionEncValues: [...APPROVED_CONTENT_ENCRYPTION] as never,
    },

    // AUTH-1: ID tokens state acr, amr and auth_time; discovery lists the levels offered.
    claims: withAssuranceClaims(claimsByScope(config)),
    acrValues: config.assurance.levels.map((l) => l.acr),
    // OIDC-9: an access token for a FHIR server carries the SMART launch context.
    extraTokenClaims: smartTokenClaims(smart),
    scopes,
    // OIDC-4: front-channel ID tokens hold protocol claims only (see accounts.ts too).
    conformIdTokenClaims: true,
    allowOmittingSingleRegisteredRedirectUri: false, // EP-3: exact redirect_uri, always sent
    acceptQueryParamAccessTokens: false,

    cookies: {
      keys: config.secrets.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },

    // TOK-5, GR-7: refresh tokens only for confidential clients granted offline access (src/policy/executors/grants.ts).
    issueRefreshToken: (_ctx, client, code) =>
      mayIssueRefreshToken({ authMethod: client.clientAuthMethod, refreshGrantAllowed: client.grantTypeAllowed('refresh_token') }, code.scopes),
    // TOK-4: every refresh rotates; a reused one revokes the grant (the library's rule).
    rotateRefreshToken: true,

    ttl: {
      AuthorizationCode: l.authorizationCode, // TOK-1
      AccessToken: (_ctx, token) => accessTokenTtl(l, caps, token.resourceServer?.accessTokenTTL), // TOK-3
      ClientCredentials: (_ctx, token) => accessTokenTtl(l, caps, token.resourceServer?.accessTokenTTL), // TOK-3
      RefreshToken: (_ctx, token) => refreshTokenTtl(l, caps, token.iiat, epoch()), // TOK-4
      IdToken: l.idToken,
      Interaction: l.interaction,
      Session: l.session,
      Grant: l.grant,
      PushedAuthorizationRequest: l.pushedAuthorizationRequest,
      BackchannelAuthenticationRequest: cibaRequestTtl(config), // EP-9
      DeviceCode: 600,
    },

    // AUTH-1: step-up at login; OIDC-9: SMART's patient picker sits between sign-in and consent.
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: smartInteractionPolicy(smart, interactionPolicyFor(config)) },
    renderError,

    routes: { ...ROUTES },

    features: {
      devInteractions: { enabled: false },
      // OIDC-3: open for the ID token's acr alone (AUTH-1 levels); identity claims come from granted scopes.
      claimsParameter: { enabled: true, assertClaimsParameter },
      clientCredentials: { enabled: true }, // GR-6: confidential clients only (clients.ts)
      introspection: {
        enabled: true, // TOK-6, EP-5
        // TOK-6, EP-5: the token's own client or the API it is for; everyone else sees active: false (src/policy/executors/introspection.ts).
        allowedPolicy: (_ctx, client, token) =>
          mayIntrospect(config.resourceServers, {
            callerId: client.clientId,
            callerPublic: client.clientAuthMethod === 'none',
            tokenClientId: token.clientId,
            audience: audienceOf((token as { aud?: unknown }).aud),
          }),
      },
      revocation: {
        enabled: true, // EP-4
        // EP-4, TOK-6: only the token's own client (src/policy/revocation.ts); said explicitly so the
        // library does not warn operators that its default policy is in use.
        allowedPolicy: (_ctx, client, token) => {
          const decision = revocationDecision({ callerId: client.clientId, callerPublic: client.clientAuthMethod === 'none', tokenClientId: token.clientId });
          if (decision === 'refuse') throw new errors.InvalidRequest(REVOCATION_REFUSED);
          return decision === 'revoke';
        },
      },
      userinfo: { enabled: true }, // EP-6
      pushedAuthorizationRequests: { enabled: true, allowUnregisteredRedirectUris: false }, // EP-8, GR-8
      resourceIndicators: {
        enabled: true,
        // OIDC-9: a SMART aud names its FHIR server (src/smart/provider.ts).
        defaultResource: smartDefaultResource(config, (ctx, client: object | undefined, oneOf) => {
          tokenRequest(ctx, client); // GR-6: no person's scopes without a person
          return oneOf;
        }) as never,
        useGrantedResource: () => true,
        getResourceServerInfo: smartResourceServerInfo(config, resourceServerInfo(config, caps)),
      },
      // EP-2. The nonce secret comes from the deployment secrets, so that a nonce one
      // replica hands out is accepted by every other.
      // EP-2: server nonces at /token and /par for SENSITIVE clients (and features.dpopNonceFor);
      // elsewhere (userinfo) the client is not known when the proof is checked.
      dPoP: {
        enabled: true,
        nonceSecret: config.secrets.dpopNonceKey,
        requireNonce: (ctx: KoaContextWithOIDC) => dpopNonceRequired(classificationOf(ctx.oidc?.client), config.features.dpopNonceFor),
      },
      jwtResponseModes: { enabled: true }, // EP-1: JARM for clients that register for it
      encryption: { enabled: true }, // TOK-8: ID tokens and userinfo as JWE for clients that register for it
      mTLS: mtlsFeature(config), // EP-2
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      registration: { enabled: config.features.registration, initialAccessToken: true, policies: registrationPolicies({ store, options, scopes, apis: config.resourceServers.map((api) => api.identifier) }) }, // EP-10
      registrationManagement: { enabled: config.features.registration, rotateRegistrationAccessToken: true }, // EP-10: RFC 7592
      ciba: cibaFeature(config), // EP-9
      // OIDC-2: s_hash in hybrid responses. The library emits it only under FAPI 1.0,
      // whose other demands (nonce, PKCE at PAR, signed request expiry) we make anyway.
      fapi: {
        enabled: true,
        // OIDC-2: the choice is policy's (src/policy/executors/id-token-hashes.ts).
        profile: (ctx: KoaContextWithOIDC, client) => fapiProfileFor((ctx.oidc?.params as { response_type?: unknown } | undefined)?.response_type, classificationOf(client)),
      },
    },
    discovery: {
      service_documentation: `${config.issuer.replace(/\/$/, '')}/docs`,
      claims_parameter_supported: true, // OIDC-3: for acr only
      ...(mtlsEndpointAliases(config) ? { mtls_endpoint_aliases: mtlsEndpointAliases(config) } : {}),
    },
  } as Configuration;
}
