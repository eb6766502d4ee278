// EP-1 … EP-11: the endpoints the provider serves and how they are protected.
import type { Config } from '../../config/load.js';
import { BUILD } from '../build.js';
import { countBy, enforcedBy, list, signingKeysUnread, type Assess } from '../context.js';
import type { Assessment, Status } from '../types.js';

const ORDER: readonly Status[] = ['broken', 'deviation', 'default', 'enforced'];

/** The weaker of two statuses ('not applicable' gives way to anything). */
export function weakest(a: Status, b: Status): Status {
  if (a === 'not applicable') return b;
  if (b === 'not applicable') return a;
  return ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** EP-11 (and EP-1's TLS part): where TLS happens for this deployment. */
export function tls(config: Config): Assessment {
  const https = new URL(config.issuer).protocol === 'https:';
  if (!https && config.mode === 'development') {
    return {
      status: 'deviation',
      evidence: `issuer ${config.issuer} is http: allowed in development mode only`,
      deviation: { setting: 'mode = development', reason: 'a local trial over http; production mode refuses an issuer that is not https' },
    };
  }
  if (!https) return { status: 'broken', evidence: `issuer ${config.issuer} is not https in production mode` };
  if (config.tls) {
    return { status: 'enforced', evidence: `issuer is https and the IdP terminates TLS itself (tls.certFile = ${config.tls.certFile})` };
  }
  if (!config.proxy) {
    return { status: 'broken', evidence: 'issuer is https but neither tls (the IdP terminates TLS) nor proxy = true (a trusted proxy does) is set' };
  }
  return {
    status: 'default',
    evidence: `issuer is https; TLS ends at a proxy the IdP trusts (${proxyEvidence(config.proxy)})`,
    review: 'check that the proxy serves only https, redirects or refuses http, and is the only way in',
  };
}

function proxyEvidence(proxy: Config['proxy']): string {
  if (proxy === true) return 'proxy = true: one proxy; the client address is the right-most X-Forwarded-For entry';
  if (typeof proxy === 'object' && 'hops' in proxy) return `proxy.hops = ${proxy.hops}: X-Forwarded-For read ${proxy.hops} entries from the right`;
  if (typeof proxy === 'object') return `X-Forwarded-* believed only from proxy.trusted = ${list(proxy.trusted)}`;
  return 'off';
}

export const endpointRules: Record<string, Assess> = {
  'EP-1': ({ config, provider }) => {
    const t = tls(config);
    const evidence = `unknown client_id refused by the library; PKCE for every code flow (pkce.required → ${provider.pkceRequired}, S256 only); PAR ${provider.features.pushedAuthorizationRequests ? 'on' : 'off'}; JARM ${provider.features.jwtResponseModes ? 'on' : 'off'}; TLS: ${t.evidence}`;
    const status = weakest(provider.pkceRequired ? 'enforced' : 'broken', t.status);
    return {
      status,
      evidence,
      mechanism: enforcedBy('EP-1'),
      ...(t.deviation ? { deviation: t.deviation } : {}),
      ...(t.review ? { review: t.review } : {}),
    };
  },

  'EP-2': ({ config, provider, clients }) => {
    const confidential = clients.filter((c) => !c.isPublic);
    const bound = countBy(confidential, (c) => c.dpop || c.mtls);
    const unsupported = clients.filter((c) => c.mtls && !provider.features.mTLS).map((c) => c.clientId);
    const inConfidence = config.features.senderConstrainedInConfidence ? 'required' : 'optional (features.senderConstrainedInConfidence = false)';
    const evidence = `token endpoint auth methods offered: ${list(provider.clientAuthMethods)}; confidential ${countBy(confidential)}; sender-constrained: ${bound}; DPoP ${provider.features.dPoP ? 'on' : 'off'}: required for SENSITIVE, ${inConfidence} for IN-CONFIDENCE; DPoP server nonces required of ${list([...new Set(['SENSITIVE', ...config.features.dpopNonceFor])])} clients (features.dpopNonceFor); mTLS (tls_client_auth, certificate-bound tokens) ${provider.features.mTLS ? 'on' : 'available, off here (mtls.enabled = false)'}`;
    if (unsupported.length) {
      return { status: 'broken', evidence: `${evidence}; clients using mTLS, which the library refuses at start-up: ${list(unsupported)}` };
    }
    return {
      status: 'default',
      evidence,
      mechanism: enforcedBy('EP-2'),
      review: provider.features.mTLS
        ? 'sender-constraining is optional below SENSITIVE'
        : 'the token endpoint SHOULD use mTLS: turn on mtls (with tls, or a trusted proxy forwarding the certificate); until then DPoP constrains the tokens of SENSITIVE clients',
    };
  },

  'EP-3': ({ config, clients }) => {
    const uris = config.clients.flatMap((c) => (Array.isArray(c.redirect_uris) ? c.redirect_uris.filter((u): u is string => typeof u === 'string') : []));
    const httpRemote = uris.filter((u) => {
      try {
        const url = new URL(u);
        return url.protocol === 'http:' && !isLoopback(url.hostname);
      } catch {
        return false;
      }
    });
    return {
      status: 'enforced',
      evidence: `${clients.length} static clients, ${uris.length} registered redirect URIs, matched exactly${httpRemote.length ? `; http on a non-loopback host (development only): ${list(httpRemote)}` : ''}`,
      mechanism: enforcedBy('EP-3'),
    };
  },

  'EP-4': ({ config, provider }) => {
    const jwt = config.resourceServers.filter((api) => api.accessTokenFormat === 'jwt').map((api) => api.name ?? api.identifier);
    const evidence = `/revoke ${provider.features.revocation ? 'on' : 'OFF'}, client authentication required; refresh tokens and opaque access tokens are revocable`;
    if (!provider.features.revocation) return { status: 'broken', evidence };
    if (!jwt.length) return { status: 'enforced', evidence, mechanism: 'features.revocation is always on (src/provider/configuration.ts)' };
    return {
      status: 'default',
      evidence: `${evidence}; JWT access tokens (APIs ${list(jwt)}) are self-contained: /revoke answers unsupported_token_type, they lapse within ${config.lifetimes.accessToken} s, and revoking the refresh token revokes the grant`,
      review: 'the guideline accepts JWT access tokens (TOK-7); the APIs must live with their short, unrevocable life',
    };
  },

  'EP-5': ({ provider }) => ({
    status: provider.features.introspection ? 'enforced' : 'broken',
    evidence: `/introspect ${provider.features.introspection ? 'on' : 'OFF'}; answers confidential (authenticated) clients only, and active:true only to the token's own client or the API it is for`,
    mechanism: enforcedBy('EP-5'),
  }),

  'EP-6': ({ provider }) => ({
    status: provider.features.userinfo ? 'enforced' : 'broken',
    evidence: `/userinfo ${provider.features.userinfo ? 'on' : 'OFF'}; it takes only the opaque access tokens issued for it`,
    mechanism: 'the library looks the presented token up in the sealed store (which fixes its issuer), refuses it when expired or issued for an API, and refuses query-string tokens (acceptQueryParamAccessTokens off)',
  }),

  'EP-7': ({ config }) => ({
    status: 'enforced',
    evidence: config.signingJwks
      ? `/jwks publishes the public part of ${config.signingJwks.keys.length} configured signing key(s) (keys.signing)`
      : signingKeysUnread(config)
        ? '/jwks publishes the public part of the keys in keys.signing.path (not read: --no-secrets)'
        : `/jwks publishes ephemeral keys made up at start-up (${list(config.algorithms.idToken)}; development: gone at restart)`,
    mechanism: enforcedBy('EP-7'),
  }),

  'EP-8': ({ config, provider, clients }) => {
    if (!provider.features.pushedAuthorizationRequests) return { status: 'not applicable', evidence: '/par is off' };
    const required = config.features.parForInConfidence ? 'SENSITIVE and IN-CONFIDENCE (features.parForInConfidence)' : 'SENSITIVE';
    return {
      status: 'enforced',
      evidence: `/par on; required for ${required}; clients bound to PAR: ${countBy(clients, (c) => c.parRequired)}`,
      mechanism: enforcedBy('EP-8'),
    };
  },

  'EP-9': ({ provider }) =>
    provider.features.ciba
      ? { status: 'default', evidence: '/bc-authorize on (CIBA, poll and ping); only confidential IN-CONFIDENCE and SENSITIVE clients; each answer recorded in the consent ledger', mechanism: enforcedBy('EP-9') }
      : { status: 'not applicable', evidence: 'CIBA (/bc-authorize) is off in this deployment (features.ciba = false)' },

  'EP-10': ({ config, provider }) => {
    const registration = provider.features.registration
      ? '/register on (features.registration; an initial access token is required)'
      : '/register off (features.registration = false): clients are onboarded through the deployment file';
    const docs = BUILD.docsRoute
      ? `onboarding documentation for this deployment's scopes and APIs at ${config.issuer.replace(/\/$/, '')}/docs (discovery's service_documentation)`
      : `onboarding: config/guides/clients.md; discovery's service_documentation ${config.issuer.replace(/\/$/, '')}/docs is not served`;
    return {
      status: 'default',
      evidence: `discovery is generated by the library from the enforced configuration (response types ${list(provider.responseTypes)}; auth methods ${list(provider.clientAuthMethods)}; code_challenge_methods_supported S256); ${registration}; ${docs}`,
      review: 'check that the agency publishes its own client onboarding process and requirements (config/guides/clients.md, Onboarding a client application, is a starting point) where service_documentation points',
    };
  },

  'EP-11': ({ config }) => {
    const t = tls(config);
    return t.status === 'enforced' || t.status === 'default' ? { ...t, mechanism: enforcedBy('EP-11') } : t;
  },
};
