// EP-7, TOK-9: the signing keys the provider publishes at /jwks. Development mode makes
// ephemeral ones (and says so loudly); production requires a configured private JWKS.
import { exportJWK, generateKeyPair } from 'jose';
import type { Jwks } from '../config/load.js';

async function ephemeralKey(alg: string): Promise<Record<string, unknown>> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg, use: 'sig', kid: `ephemeral-${alg.toLowerCase()}-${Date.now().toString(36)}` };
}

/** One key per algorithm the deployment signs with. */
export async function ephemeralJwks(algs: readonly string[]): Promise<Jwks> {
  return { keys: await Promise.all([...new Set(algs)].map(ephemeralKey)) };
}
