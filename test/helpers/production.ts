// Material for production-mode test files: random keys (start-up refuses a repeated byte)
// and a private JWKS that can sign with every default algorithm (ES256 and PS256).
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

/** 32 random bytes, base64url: a sealing, lookup or DPoP-nonce key */
export const KEY32 = randomBytes(32).toString('base64url');
/** a cookie key or API token of 48 random characters */
export const RANDOM_TEXT = randomBytes(36).toString('base64url');

async function privateJwk(alg: 'ES256' | 'PS256', kid: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid };
}

export const PRODUCTION_JWKS = { keys: [await privateJwk('ES256', 'es256-test'), await privateJwk('PS256', 'ps256-test')] };
