// EP-2 and GR-2: how a client authenticates. Registration: a confidential method the class
// allows (a public IN-CONFIDENCE/SENSITIVE client is refused as public, GR-2), and the mTLS
// details a method needs. Token endpoint: client assertions are short-lived, for one
// audience, signed with an accepted algorithm; HTTP Basic is refused (src/provider/client-auth.ts).
import type { Problem } from '../../config/errors.js';
import type { Executor } from './types.js';

export const CLIENT_ASSERTION_MAX_LIFETIME = 300;

const TLS_SUBJECT_FIELDS = ['tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email'];

/** EP-2: a client assertion (private_key_jwt, client_secret_jwt) is short-lived, so a stolen one is worth little. */
export function checkClientAssertionLifetime(claims: { exp?: unknown; iat?: unknown }, now: number): string | undefined {
  if (typeof claims.exp !== 'number') return 'the client assertion must have a numeric exp (EP-2)';
  if (claims.exp - now > CLIENT_ASSERTION_MAX_LIFETIME) {
    return `the client assertion must expire within ${CLIENT_ASSERTION_MAX_LIFETIME} seconds (EP-2)`;
  }
  return undefined;
}

/**
 * EP-2: `aud` is one value, the issuer or the token endpoint URL. An array naming someone
 * else too would let an assertion made for another server be replayed here (and one made
 * here be replayed there): the audience-injection attacks on private_key_jwt.
 */
export function checkClientAssertionAudience(aud: unknown, accepted: readonly string[]): string | undefined {
  const values = Array.isArray(aud) ? aud : [aud];
  if (values.length !== 1 || typeof values[0] !== 'string' || !accepted.includes(values[0])) {
    return `the client assertion's aud must be a single value: the issuer or the token endpoint URL (EP-2)`;
  }
  return undefined;
}

/** TOK-9: why an assertion signed with `alg` is refused, and what the client may use. */
export function assertionAlgRefusal(alg: unknown, accepted: readonly string[]): string {
  const shown = typeof alg === 'string' ? alg.slice(0, 20) : 'no algorithm';
  return `the client assertion is signed with ${shown}, which is not accepted here; accepted: ${accepted.join(', ')} (TOK-9)`;
}

/**
 * EP-2 approves client_secret_post, not HTTP Basic (client_secret_basic), and discovery
 * does not offer it; the library would accept Basic for any client_secret_post client.
 */
export function basicAuthRefusal(allowed: readonly string[]): string {
  return `HTTP Basic client authentication (client_secret_basic) is not approved; use ${allowed.join(' or ')} (EP-2)`;
}

export const clientAuth: Executor = {
  name: 'client-auth',
  report: [
    { rule: 'GR-2', mechanism: 'a public IN-CONFIDENCE or SENSITIVE registration stops start-up or fails /register, and a client without a classification is refused (src/policy/executors/client-auth.ts); tokens for an API above the client\'s class are refused with invalid_target (src/policy/executors/resources.ts)' },
  ],
  checkClient(meta, { classification, profile, authMethod, isPublic }, ctx) {
    const problems: Problem[] = [];
    const add = (field: string, message: string) => problems.push({ field, message, rule: 'EP-2' });
    if (isPublic && !profile.publicClientsAllowed) {
      problems.push({ field: 'token_endpoint_auth_method', message: `a ${classification} client must be confidential; "none" makes it public`, rule: 'GR-2' });
    } else if (!profile.authMethods.includes(authMethod)) {
      add('token_endpoint_auth_method', `"${authMethod}" is not allowed for ${classification}; use one of ${profile.authMethods.join(', ')}`);
    }
    if (authMethod === 'tls_client_auth' || authMethod === 'self_signed_tls_client_auth' || meta.tls_client_certificate_bound_access_tokens === true) {
      if (!ctx.mtls.enabled) add('token_endpoint_auth_method', 'mutual TLS is not enabled in this deployment (mtls.enabled)');
    }
    if (authMethod === 'tls_client_auth') {
      if (ctx.mtls.enabled && !ctx.mtls.trustedCas) add('token_endpoint_auth_method', 'tls_client_auth needs the CAs to trust (mtls.caFile)');
      const subjects = TLS_SUBJECT_FIELDS.filter((f) => typeof meta[f] === 'string');
      if (subjects.length !== 1) add('tls_client_auth_subject_dn', 'tls_client_auth needs exactly one of tls_client_auth_subject_dn or tls_client_auth_san_*');
    }
    if (authMethod === 'self_signed_tls_client_auth' && meta.jwks === undefined && meta.jwks_uri === undefined) {
      add('jwks', 'self_signed_tls_client_auth needs the certificate in jwks or jwks_uri (x5c)');
    }
    return problems;
  },
};
