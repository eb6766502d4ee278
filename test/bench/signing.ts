// The physical limit: how many JWS signatures per second jose makes on this machine with
// the benchmark's own keys, in a process pinned like the servers. oidc-provider signs
// through jose (WebCrypto), which runs the signature on libuv's threadpool, so it is
// measured with one signature in flight and with the benchmark's concurrency.
// Prints one JSON line: { ES256: { sequential, concurrent }, PS256: {…} } in signatures/s.
import { CompactSign, importJWK } from 'jose';
import type { Jwks } from '../../src/config/load.js';

const durationMs = Number(process.env.BENCH_SIGN_MS ?? 1500);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const jwks = JSON.parse(process.env.BENCH_JWKS ?? '{}') as Jwks;

// About the size of the benchmark's access tokens' claims.
const payload = Buffer.from(
  JSON.stringify({
    iss: 'http://127.0.0.1:40000',
    sub: 'service',
    aud: 'https://api.test/bench-es256',
    iat: 1_700_000_000,
    exp: 1_700_000_600,
    jti: 'x'.repeat(43),
    client_id: 'service',
    scope: 'bench.read',
  }),
);

async function rate(alg: string, inFlight: number): Promise<number> {
  const jwk = jwks.keys.find((k) => k.alg === alg);
  if (!jwk) throw new Error(`no ${alg} key`);
  const key = await importJWK(jwk as Parameters<typeof importJWK>[0], alg);
  const sign = () => new CompactSign(payload).setProtectedHeader({ alg, typ: 'at+jwt', kid: String(jwk.kid) }).sign(key);
  for (let i = 0; i < 200; i++) await sign(); // warm-up
  let count = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        await sign();
        count += 1;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

const out: Record<string, { sequential: number; concurrent: number }> = {};
for (const alg of ['ES256', 'PS256']) {
  out[alg] = { sequential: await rate(alg, 1), concurrent: await rate(alg, concurrency) };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
