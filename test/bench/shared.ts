// What both benchmark targets share: the keys, the clients, the APIs, the account.
// The baseline and our IdP get byte-for-byte the same JWKS and client metadata, so the
// only difference between them is what this project adds.
import { exportJWK, generateKeyPair } from 'jose';
import type { Jwks } from '../../src/config/load.js';
import type { RawConfig } from '../../src/config/schema.js';
import { SERVICE_SECRET, WEB_SECRET, service, web } from '../helpers/clients.js';
import { PASSWORDS, REDIRECT, TEST_ACCOUNTS, TEST_APIS, TEST_SCOPES } from '../helpers/fixtures.js';

export { PASSWORDS, REDIRECT, SERVICE_SECRET, TEST_ACCOUNTS, TEST_SCOPES, WEB_SECRET };

/** The APIs the benchmark asks tokens for (RFC 8707 resource indicators). */
export const BENCH_API = {
  es256: 'https://api.test/bench-es256',
  ps256: 'https://api.test/bench-ps256',
  /** stored (opaque) tokens with a 2 s lifetime: the memory-growth case */
  opaque: 'https://api.test/bench-opaque',
} as const;

export const BENCH_SCOPE = 'bench.read';
/** Lifetime of the memory case's stored tokens, seconds. */
export const OPAQUE_TTL = 2;

export const BENCH_APIS: NonNullable<RawConfig['resourceServers']> = [
  { identifier: BENCH_API.es256, classification: 'IN-CONFIDENCE', scopes: { [BENCH_SCOPE]: 'Read benchmark data' }, accessTokenFormat: 'jwt', signingAlg: 'ES256' },
  { identifier: BENCH_API.ps256, classification: 'IN-CONFIDENCE', scopes: { [BENCH_SCOPE]: 'Read benchmark data' }, accessTokenFormat: 'jwt', signingAlg: 'PS256' },
  { identifier: BENCH_API.opaque, classification: 'PUBLIC', scopes: { [BENCH_SCOPE]: 'Read benchmark data' }, accessTokenFormat: 'opaque', accessTokenTTL: OPAQUE_TTL },
];

/** Our deployment's APIs: the test ones plus the benchmark's. */
export const ALL_APIS = [...TEST_APIS, ...BENCH_APIS];

/**
 * The two clients, as registered with our IdP (with `classification`). The baseline
 * gets the same metadata without `classification`, which only our policy reads.
 * The signing algorithms are explicit so both sign with ES256 (the library's own
 * defaults are RS256, which our policy refuses, TOK-9).
 */
const ALGS = { id_token_signed_response_alg: 'ES256', authorization_signed_response_alg: 'ES256' };
export const WEB_CLIENT: Record<string, unknown> & { client_id: string } = { ...web.metadata, ...ALGS };
export const SERVICE_CLIENT: Record<string, unknown> & { client_id: string } = { ...service.metadata, ...ALGS };

export function withoutClassification(meta: Record<string, unknown>): Record<string, unknown> {
  const { classification: _c, ...rest } = meta;
  return rest;
}

/** One ES256 key and one PS256 key (RSA 2048), private, as both targets load them. */
export async function benchJwks(): Promise<Jwks> {
  const make = async (alg: string, options: { modulusLength?: number } = {}) => {
    const { privateKey } = await generateKeyPair(alg, { extractable: true, ...options });
    return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `bench-${alg.toLowerCase()}` } as Record<string, unknown>;
  };
  return { keys: [await make('ES256'), await make('PS256', { modulusLength: 2048 })] };
}

/** Lifetimes both targets use (our defaults, set explicitly in the baseline). */
export const LIFETIMES = {
  authorizationCode: 60,
  accessToken: 600,
  refreshToken: 8 * 3600,
  idToken: 600,
  interaction: 600,
  session: 8 * 3600,
  grant: 90 * 24 * 3600,
  pushedAuthorizationRequest: 60,
} as const;

/** ours-alt: our IdP from another checkout (`--alt PATH`), e.g. with a proposed fix. */
/**
 * Our IdP remembers a person's consent across browsers (OIDC-7), so a sign-in that must
 * show the consent form needs an account that has not consented yet: the new-consent
 * workload takes the next of these for every op. Same password and cost (scrypt N=1024)
 * and claims as the test account alice; both targets get the same list.
 */
export function benchAccounts(count: number): NonNullable<RawConfig['accounts']> {
  const [alice] = TEST_ACCOUNTS;
  if (!alice) throw new Error('no test account');
  return [alice, ...Array.from({ length: count }, (_, i) => ({ ...alice, id: `bench-${i}`, username: `bench-${i}` }))];
}

export type TargetName = 'baseline' | 'ours' | 'ours-redis' | 'ours-alt';

export interface TargetSpec {
  name: TargetName;
  jwks: Jwks;
  /** for ours-redis */
  redisUrl?: string;
  /** how many fresh accounts the new-consent workload may use */
  accounts: number;
}
