// EP-2: client authentication at the token endpoint and its siblings. A client assertion
// (private_key_jwt, client_secret_jwt) is short-lived, so a stolen one is worth little,
// and names exactly one audience; the library already checks alg, iss, exp and jti replay.
export const CLIENT_ASSERTION_MAX_LIFETIME = 300;

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
