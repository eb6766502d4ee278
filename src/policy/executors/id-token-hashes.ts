// OIDC-2: ID tokens carry c_hash, s_hash and at_hash where the flow allows. The library
// emits c_hash for hybrid responses, but s_hash only under FAPI 1.0, whose other demands
// (nonce, PKCE at PAR, signed request expiry) the profiles make anyway; so a hybrid request
// of an IN-CONFIDENCE or SENSITIVE client runs under that profile (features.fapi.profile).
import type { Executor } from './types.js';

/** The FAPI profile for an authorization request, or undefined for none. */
export function fapiProfileFor(responseType: unknown, classification: unknown): '1.0 Final' | undefined {
  const hybrid = typeof responseType === 'string' && responseType.split(' ').includes('id_token') && responseType.includes('code');
  return hybrid && classification !== 'PUBLIC' ? '1.0 Final' : undefined;
}

export const idTokenHashes: Executor = {
  name: 'id-token-hashes',
  report: [
    { rule: 'OIDC-2', mechanism: 'the library emits c_hash for hybrid responses and s_hash under the per-request FAPI 1.0 profile (src/policy/executors/id-token-hashes.ts fapiProfileFor, features.fapi.profile)' },
  ],
};
