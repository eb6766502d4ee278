// EP-7, TOK-9: the signing JWKS can sign with every algorithm the file enables, with keys
// strong enough. Pure: a JWKS and the algorithms in, problems out. (That each key really
// signs is tried at start-up: src/provider/keys.ts.)
import type { Problem } from '../config/errors.js';

type Jwk = Record<string, unknown>;

/** TOK-9: RSA keys shorter than this are weak (NIST SP 800-57). */
export const RSA_MIN_BITS = 2048;

/** Which key can sign with an algorithm: key type and, for EC/OKP, the curve. */
function fits(alg: string, key: Jwk): boolean {
  if (typeof key.alg === 'string' && key.alg !== alg) return false;
  if (alg.startsWith('PS') || alg.startsWith('RS')) return key.kty === 'RSA';
  if (alg === 'ES256') return key.kty === 'EC' && key.crv === 'P-256';
  if (alg === 'ES384') return key.kty === 'EC' && key.crv === 'P-384';
  if (alg === 'ES512') return key.kty === 'EC' && key.crv === 'P-521';
  if (alg === 'EdDSA' || alg === 'Ed25519') return key.kty === 'OKP';
  return false;
}

export function keyName(key: Jwk, i: number): string {
  return typeof key.kid === 'string' ? `keys[${i}] (kid "${key.kid}")` : `keys[${i}]`;
}

export function rsaBits(key: Jwk): number | undefined {
  if (key.kty !== 'RSA' || typeof key.n !== 'string') return undefined;
  const n = Buffer.from(key.n, 'base64url');
  const leading = n.findIndex((b) => b !== 0);
  return leading < 0 ? 0 : (n.length - leading) * 8 - Math.clz32(n[leading] ?? 0) + 24;
}

export function checkSigningJwks(keys: readonly Jwk[], algs: readonly string[], field = 'keys.signing'): Problem[] {
  const problems: Problem[] = [];
  const isPrivate = (k: Jwk) => typeof k.d === 'string';
  keys.forEach((key, i) => {
    const bits = rsaBits(key);
    if (bits !== undefined && bits < RSA_MIN_BITS) {
      problems.push({ field, message: `${keyName(key, i)}: an RSA key of ${bits} bits is too short; use at least ${RSA_MIN_BITS}`, rule: 'TOK-9' });
    }
  });
  if (keys.length && !keys.some(isPrivate)) {
    problems.push({ field, message: 'holds public keys only; the IdP needs the private keys (with "d") to sign', rule: 'EP-7' });
    return problems;
  }
  keys.forEach((key, i) => {
    if (!isPrivate(key)) problems.push({ field, message: `${keyName(key, i)} is a public key; list private keys only (their public halves are published at /jwks)`, rule: 'EP-7' });
  });
  for (const alg of new Set(algs)) {
    if (!keys.some((k) => isPrivate(k) && fits(alg, k))) {
      problems.push({ field, message: `has no private key for ${alg}, which algorithms.* enables`, rule: 'TOK-9' });
    }
  }
  return problems;
}
