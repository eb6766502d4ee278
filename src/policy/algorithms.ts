// TOK-9: tokens are signed with approved algorithms only; `none` and HMAC never sign an
// ID token or access token, and client assertions are checked against the same list.
import type { Config } from '../config/load.js';

export const APPROVED_SIGNING = ['PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
/** RSASSA-PKCS1-v1_5: not weak, but not approved by default; a deployment opts in. */
export const OPT_IN_SIGNING = ['RS256', 'RS384', 'RS512'] as const;
/** client_secret_jwt is an approved client authentication (EP-2) and needs HMAC. */
export const CLIENT_SECRET_JWT_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const APPROVED_KEY_MANAGEMENT = ['RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'] as const;
export const APPROVED_CONTENT_ENCRYPTION = ['A128GCM', 'A256GCM'] as const;

export function isSigningAlgAllowed(alg: string, optedIn: readonly string[]): boolean {
  return (APPROVED_SIGNING as readonly string[]).includes(alg) || ((OPT_IN_SIGNING as readonly string[]).includes(alg) && optedIn.includes(alg));
}

/** The signing algorithms the deployment enables: the approved ones, plus opted-in RSA. */
export function enabledSigningAlgs(configured: readonly string[]): string[] {
  return configured.filter((alg) => isSigningAlgAllowed(alg, configured));
}

/** RSASSA-PKCS1-v1_5 algorithms a list opts in to (what the compliance report shows). */
export function optedInAlgs(configured: readonly string[]): string[] {
  return configured.filter((alg) => (OPT_IN_SIGNING as readonly string[]).includes(alg));
}

/**
 * TOK-9: the algorithms accepted for private_key_jwt assertions (algorithms.clientAuthentication,
 * approved ones by default; RS256/384/512 only when listed). client_secret_jwt adds HMAC,
 * which that method needs (EP-2).
 */
export function clientAssertionAlgs(configured: readonly string[]): { asymmetric: string[]; symmetric: string[] } {
  return { asymmetric: enabledSigningAlgs(configured), symmetric: [...CLIENT_SECRET_JWT_ALGS] };
}

/** The algorithms the signing keys must serve: ID tokens, access tokens, each API's own. */
export function signingAlgsInUse(config: Pick<Config, 'algorithms' | 'resourceServers'>): string[] {
  const apiAlgs = config.resourceServers.flatMap((api) => (api.signingAlg ? [api.signingAlg] : []));
  return [...new Set([...enabledSigningAlgs(config.algorithms.idToken), config.algorithms.accessToken, ...apiAlgs])];
}
