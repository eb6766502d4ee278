// EP-2: a client assertion (private_key_jwt, client_secret_jwt) is short-lived, so a
// stolen one is worth little; the library already checks alg, aud, iss, exp and jti
// replay.
export const CLIENT_ASSERTION_MAX_LIFETIME = 300;

export function checkClientAssertionLifetime(claims: { exp?: unknown; iat?: unknown }, now: number): string | undefined {
  if (typeof claims.exp !== 'number') return 'the client assertion must have a numeric exp (EP-2)';
  if (claims.exp - now > CLIENT_ASSERTION_MAX_LIFETIME) {
    return `the client assertion must expire within ${CLIENT_ASSERTION_MAX_LIFETIME} seconds (EP-2)`;
  }
  return undefined;
}
