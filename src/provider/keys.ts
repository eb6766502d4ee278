// EP-7, TOK-9: the signing keys the provider publishes at /jwks. Development mode makes
// ephemeral ones (and says so loudly); production requires a configured private JWKS.
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Problem } from '../config/errors.js';
import type { Jwks } from '../config/load.js';
import { keyName } from '../policy/signing-keys.js';

async function ephemeralKey(alg: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: `ephemeral-${alg.toLowerCase()}-${Date.now().toString(36)}` };
}

/** One key per algorithm the deployment signs with. */
export async function ephemeralJwks(algs: readonly string[]): Promise<Jwks> {
  return { keys: await Promise.all([...new Set(algs)].map(ephemeralKey)) };
}

/** The algorithm a key signs with: its own `alg`, or the approved one for its type. */
function algOf(key: Record<string, unknown>): string | undefined {
  if (typeof key.alg === 'string') return key.alg;
  if (key.kty === 'RSA') return 'PS256';
  if (key.kty === 'EC') return ({ 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' } as Record<string, string>)[String(key.crv)];
  if (key.kty === 'OKP') return 'EdDSA';
  return undefined;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

/**
 * EP-7, TOK-9: every configured key is imported, signs, and its public half verifies the
 * signature — so a key that would fail every sign-in with a 500 stops start-up instead,
 * named by its position and kid. Never echoes key material.
 */
export async function signingKeyProblems(jwks: Jwks, field = 'keys.signing'): Promise<Problem[]> {
  const problems: Problem[] = [];
  await Promise.all(
    jwks.keys.map(async (key, i) => {
      if (typeof key.d !== 'string') return; // public keys are refused by the policy (src/policy/signing-keys.ts)
      const alg = algOf(key);
      if (!alg) {
        problems.push({ field, message: `${keyName(key, i)}: no signing algorithm for a key of type ${JSON.stringify(key.kty ?? null)}`, rule: 'TOK-9' });
        return;
      }
      try {
        const jws = await new CompactSign(new TextEncoder().encode('start-up check')).setProtectedHeader({ alg }).sign(await importJWK({ ...key, ext: true }, alg));
        const publicJwk = Object.fromEntries(Object.entries(key).filter(([k]) => !PRIVATE_MEMBERS.includes(k)));
        await compactVerify(jws, await importJWK(publicJwk as JWK, alg));
      } catch {
        problems.push({ field, message: `${keyName(key, i)}: is not a usable ${alg} key (it could not sign, or its public half does not verify)`, rule: 'EP-7' });
      }
    }),
  );
  return problems;
}
