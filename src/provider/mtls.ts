// EP-2: RFC 8705 for the library — where the client certificate comes from (the TLS
// connection, or a trusted proxy's header), whether we trust its issuer, and whether it
// matches the client's registration.
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { issuedByTrustedCa, normaliseAddress, parseBundle, parseForwarded, subjectMatches } from '../mtls/certificates.js';

const ALIASED_ROUTES = { token_endpoint: '/token', revocation_endpoint: '/revoke', introspection_endpoint: '/introspect', userinfo_endpoint: '/userinfo', pushed_authorization_request_endpoint: '/par', backchannel_authentication_endpoint: '/bc-authorize' };

type MtlsFeature = NonNullable<NonNullable<Configuration['features']>['mTLS']>;

export function mtlsFeature(config: Config): MtlsFeature {
  const { mtls } = config;
  const cas = parseBundle(config.tlsMaterial.clientCas);
  const trusted = new Set(mtls.trustedProxies.map(normaliseAddress));
  const seen = new WeakMap<object, X509Certificate | undefined>();

  function getCertificate(ctx: KoaContextWithOIDC): X509Certificate | undefined {
    if (seen.has(ctx)) return seen.get(ctx);
    const socket = ctx.req.socket as Partial<TLSSocket>;
    let cert: X509Certificate | undefined;
    if (typeof socket.getPeerX509Certificate === 'function') {
      cert = socket.getPeerX509Certificate();
    } else if (mtls.proxyHeader && trusted.has(normaliseAddress(ctx.req.socket.remoteAddress))) {
      // Only a proxy we were told to trust may vouch for a certificate.
      cert = parseForwarded(ctx.get(mtls.proxyHeader) || undefined);
    }
    seen.set(ctx, cert);
    return cert;
  }

  return {
    enabled: mtls.enabled,
    certificateBoundAccessTokens: mtls.enabled,
    tlsClientAuth: mtls.enabled && cas.length > 0,
    selfSignedTlsClientAuth: mtls.enabled,
    getCertificate,
    certificateAuthorized: (ctx: KoaContextWithOIDC) => {
      const cert = getCertificate(ctx);
      return cert !== undefined && issuedByTrustedCa(cert, cas);
    },
    certificateSubjectMatches: (ctx: KoaContextWithOIDC, property: string, expected: string) => {
      const cert = getCertificate(ctx);
      return cert !== undefined && subjectMatches(cert, property, expected);
    },
  };
}

/** The approved client authentications (EP-2), with mTLS's when it is on. */
export function clientAuthMethods(config: Config): string[] {
  const methods = ['none', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'];
  if (config.mtls.enabled) {
    methods.push('self_signed_tls_client_auth');
    if (config.tlsMaterial.clientCas) methods.push('tls_client_auth');
  }
  return methods;
}

/** RFC 8705 §5: the endpoints at the separate mTLS host, when there is one. */
export function mtlsEndpointAliases(config: Config): Record<string, string> | undefined {
  const base = config.mtls.enabled ? config.mtls.endpointAliasBase?.replace(/\/$/, '') : undefined;
  if (!base) return undefined;
  return Object.fromEntries(Object.entries(ALIASED_ROUTES).map(([name, path]) => [name, `${base}${path}`]));
}
