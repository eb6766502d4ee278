// TOK-1 … TOK-10: codes, tokens, lifetimes, formats, algorithms.
import { optedInAlgs } from '../../policy/algorithms.js';
import { deviationFor } from '../../policy/deviations.js';
import { ACCESS_TOKEN_CAP, AUTHORIZATION_CODE_CAP, REFRESH_TOKEN_CAP } from '../../policy/executors/lifetimes.js';
import { BUILD } from '../build.js';
import { countBy, enforcedBy, identityClaimsByScope, list, seconds, type Assess, type AssessContext } from '../context.js';
import type { Assessment } from '../types.js';

const apiName = (api: { name?: string | undefined; identifier: string }) => api.name ?? api.identifier;

/**
 * TOK-8. Whether an ID token from /token can carry identity claims is a fact of the build
 * (BUILD.backChannelIdTokenClaims), a parameter here so that each branch can be tested.
 */
export function assessTokenEncryption({ config, provider }: AssessContext, build: { backChannelIdTokenClaims: boolean } = BUILD): Assessment {
  const pii = identityClaimsByScope(config);
  const encrypted = config.resourceServers.filter((api) => api.encrypt).map((api) => `${apiName(api)} (${api.encrypt?.alg}/${api.encrypt?.enc})`);
  const accessPart = `access tokens carry no identity claims (RFC 9068 claims only); JWE for APIs: ${list(encrypted)}`;
  // The /token ID token keeps the scopes' claims when the access token is for an API,
  // or always when conformIdTokenClaims is off (see build.ts).
  const idTokensCarry = build.backChannelIdTokenClaims && (!provider.conformIdTokenClaims || config.resourceServers.length > 0);
  if (!pii.length) return { status: 'not applicable', evidence: `no scope releases identity claims, so no token carries PII; ${accessPart}` };
  if (!idTokensCarry) return { status: 'default', evidence: `ID tokens carry only protocol claims (identity claims come from /userinfo); ${accessPart}`, mechanism: enforcedBy('TOK-8') };
  const claims = pii.map(([scope, c]) => `${scope} → ${c.join(', ')}`).join('; ');
  if (provider.features.encryption) {
    return {
      status: 'default',
      evidence: `ID tokens from /token may carry: ${claims}; ID-token encryption is available (features.encryption) but a client must register for it; ${accessPart}`,
      mechanism: enforcedBy('TOK-8'),
      review: 'check that every client receiving PII in ID tokens registered id_token_encrypted_response_alg',
    };
  }
  return {
    status: 'broken',
    evidence: `ID tokens from /token carry the claims of granted scopes when the access token is for an API (resource indicator): ${claims}; ID-token encryption is off (features.encryption), so they are signed, not JWE; ${accessPart}`,
    review: 'fix in the build: either keep identity claims out of every ID token (they are at /userinfo) or enable and require ID-token encryption',
  };
}

export const tokenRules: Record<string, Assess> = {
  'TOK-1': ({ config, provider }) => ({
    status: 'enforced',
    evidence: `lifetimes.authorizationCode = ${config.lifetimes.authorizationCode} s (cap ${AUTHORIZATION_CODE_CAP}); ttl.AuthorizationCode = ${seconds(provider.ttl.authorizationCode)}; store: ${config.store.type}`,
    mechanism: enforcedBy('TOK-1'),
  }),

  'TOK-2': ({ config }) => {
    const keys = config.secrets.ephemeral
      ? 'sealing and lookup keys made up at start-up (development: nothing survives a restart)'
      : `sealing key ids ${list(config.secrets.sealingKeys.map((k) => k.kid))} (first one seals)`;
    return {
      status: 'enforced',
      evidence: `store.type = ${config.store.type}; ${keys}`,
      mechanism:
        'every record is sealed with AES-256-GCM under the sealing key and filed under HMAC(lookup key, id) (src/storage/seal.ts); createStore hands the sealer to every store type, and production refuses to start without secrets',
    };
  },

  'TOK-3': ({ config, provider }) => {
    const apis = config.resourceServers.map((api) => `${apiName(api)} ${seconds(provider.ttl.perApi[api.identifier])}`);
    const effective = `effective: default ${seconds(provider.ttl.accessToken)}, client_credentials ${seconds(provider.ttl.clientCredentials)}, APIs: ${list(apis)}`;
    const deviation = deviationFor(config.deviations, 'TOK-3');
    if (deviation) {
      return {
        status: 'deviation',
        evidence: `lifetimes.accessToken = ${config.lifetimes.accessToken} s (the ${ACCESS_TOKEN_CAP} s cap is lifted by the declared deviation); ${effective}`,
        deviation: { setting: deviation.setting, reason: deviation.reason },
      };
    }
    return {
      status: 'enforced',
      evidence: `lifetimes.accessToken = ${config.lifetimes.accessToken} s (cap ${ACCESS_TOKEN_CAP}); ${effective}`,
      mechanism: enforcedBy('TOK-3'),
    };
  },

  'TOK-4': ({ config, provider }) => {
    const rotation = provider.rotateRefreshToken ? 'rotated on every use; a reused one revokes the grant' : 'NOT rotated';
    const deviation = deviationFor(config.deviations, 'TOK-4');
    const evidence = `lifetimes.refreshToken = ${config.lifetimes.refreshToken} s absolute from the chain's first issue (cap ${REFRESH_TOKEN_CAP}${deviation ? ', lifted by the declared deviation' : ''}); a new chain gets ${seconds(provider.ttl.refreshToken)}; ${rotation}`;
    if (deviation) return { status: 'deviation', evidence, deviation: { setting: deviation.setting, reason: deviation.reason } };
    return {
      status: provider.rotateRefreshToken ? 'enforced' : 'default',
      evidence,
      mechanism: enforcedBy('TOK-4'),
    };
  },

  'TOK-5': ({ config, provider, clients }) => {
    const withRefresh = countBy(clients, (c) => !c.isPublic && c.grantTypes.includes('refresh_token'));
    const longAccess = deviationFor(config.deviations, 'TOK-3') ? `; NB access tokens live ${config.lifetimes.accessToken} s under the TOK-3 deviation` : '';
    return {
      status: provider.refreshTokenForConfidential ? 'enforced' : 'broken',
      evidence: `refresh tokens for offline_access, confidential clients registered for refresh_token: ${withRefresh}; access tokens at most ${seconds(provider.ttl.accessToken)}${longAccess}`,
      mechanism: enforcedBy('TOK-5'),
    };
  },

  'TOK-6': ({ config, provider }) => {
    const opaque = config.resourceServers.filter((api) => api.accessTokenFormat === 'opaque').map(apiName);
    const evidence = `introspection at /introspect: ${provider.features.introspection ? 'on (confidential clients only)' : 'OFF'}; opaque access tokens: those for /userinfo only${opaque.length ? ` and APIs ${list(opaque)}` : ''}`;
    return {
      status: provider.features.introspection ? 'enforced' : 'broken',
      evidence,
      mechanism: 'features.introspection is always on (src/provider/configuration.ts) and answers for every opaque token, which the store keeps until it expires',
    };
  },

  'TOK-7': ({ config }) => {
    const jwt = config.resourceServers.filter((api) => api.accessTokenFormat === 'jwt').map(apiName);
    const opaque = config.resourceServers.map((api, i) => ({ api, i })).filter(({ api }) => api.accessTokenFormat === 'opaque');
    const evidence = `JWT access tokens (RFC 9068, typ at+jwt) for APIs: ${list(jwt)}; opaque: tokens for /userinfo only${opaque.length ? `, APIs ${list(opaque.map(({ api }) => apiName(api)))}` : ''}; refresh tokens: opaque`;
    const review = 'refresh tokens are opaque handles by design: the library keeps them in the sealed store so it can rotate and revoke them, which a self-contained token would not allow';
    const declared = deviationFor(config.deviations, 'TOK-7');
    if (opaque.length || declared) {
      return {
        status: 'deviation',
        evidence,
        review,
        deviation: {
          setting: opaque.length ? opaque.map(({ i }) => `resourceServers[${i}].accessTokenFormat = opaque`).join('; ') : (declared?.setting ?? ''),
          reason: declared?.reason ?? 'none given: no TOK-7 entry in deviations[]',
        },
      };
    }
    return { status: 'default', evidence, review };
  },

  'TOK-8': (ctx) => assessTokenEncryption(ctx),

  'TOK-9': ({ config }) => {
    const optedIn = optedInAlgs(config.algorithms.idToken);
    const assertionOptIn = optedInAlgs(config.algorithms.clientAuthentication);
    const assertions = `; client assertions (private_key_jwt): ${list(config.algorithms.clientAuthentication)} (algorithms.clientAuthentication)${assertionOptIn.length ? `, ${list(assertionOptIn)} opted in (RSASSA-PKCS1-v1_5, e.g. for mod_auth_openidc: allowed only by this opt-in)` : ''}`;
    const perApi = config.resourceServers.filter((api) => api.signingAlg).map((api) => `${apiName(api)} ${api.signingAlg}`);
    return {
      status: 'enforced',
      evidence: `ID tokens: ${list(config.algorithms.idToken)} (algorithms.idToken); access tokens: ${config.algorithms.accessToken}${perApi.length ? `, ${list(perApi)}` : ''}${optedIn.length ? `; ${list(optedIn)} opted in (RSASSA-PKCS1-v1_5: allowed only by this opt-in)` : ''}${assertions}`,
      mechanism: enforcedBy('TOK-9'),
    };
  },

  'TOK-10': ({ config, clients }) => {
    const short = clients.filter((c) => c.secretLength !== undefined && c.secretLength < 40).map((c) => c.clientId);
    // The setting, not its value: --no-secrets leaves the value unread.
    const exportKey = config.consent.exportToken !== undefined;
    return {
      status: exportKey ? 'enforced' : 'not applicable',
      evidence: `${exportKey ? 'the one API key, consent.exportToken (the ledger export), is refused at start-up unless at least 40 characters' : 'the IdP issues and accepts no API keys (consent.exportToken is not set)'}${short.length ? `; client secrets under 40 characters: ${list(short)}` : ''}`,
      ...(short.length ? { review: 'client secrets are not API keys, but the same 40-character floor is sound for them' } : {}),
    };
  },
};
