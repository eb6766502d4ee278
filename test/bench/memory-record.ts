// Memory per record of the embedded store (config/guides/redis.md: sizing store.maxEntries):
//   node --expose-gc --import tsx test/bench/memory-record.ts [N]
// Writes N records shaped like a sign-in's (session, grant, code, access and refresh
// token, interaction, in equal parts) and prints the heap they take, per record.
import { randomBytes, randomUUID } from 'node:crypto';
import { createMemoryStore } from '../../src/storage/memory.js';
import { createSealer } from '../../src/storage/seal.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const n = Number(process.argv[2] ?? 60_000);
const store = createMemoryStore(createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32)), { maxEntries: n + 1 });
const now = Math.floor(Date.now() / 1000);
const scope = 'openid profile email offline_access';
const shapes: [string, () => Record<string, unknown>][] = [
  ['Session', () => ({ kind: 'Session', uid: randomUUID(), accountId: 'acct-alice', loginTs: now, amr: ['pwd'], acr: 'urn:mace:incommon:iap:silver', authorizations: { web: { sid: randomUUID(), grantId: randomUUID(), persistsLogout: false } }, exp: now + 28800, iat: now, jti: randomUUID() })],
  ['Grant', () => ({ kind: 'Grant', accountId: 'acct-alice', clientId: 'clinic-portal', openid: { scope, claims: ['sub', 'sid', 'auth_time', 'acr', 'amr', 'nonce', 'name', 'email'] }, resources: { 'https://api.example/clinic': 'clinic.read' }, exp: now + 7776000, iat: now, jti: randomUUID() })],
  ['AuthorizationCode', () => ({ kind: 'AuthorizationCode', accountId: 'acct-alice', clientId: 'clinic-portal', grantId: randomUUID(), scope, redirectUri: 'https://portal.example.org/callback', codeChallenge: randomBytes(32).toString('base64url'), codeChallengeMethod: 'S256', nonce: randomBytes(16).toString('base64url'), sessionUid: randomUUID(), authTime: now, acr: 'x', amr: ['pwd'], exp: now + 60, iat: now, jti: randomUUID() })],
  ['AccessToken', () => ({ kind: 'AccessToken', accountId: 'acct-alice', clientId: 'clinic-portal', grantId: randomUUID(), scope, aud: 'https://api.example/clinic', sessionUid: randomUUID(), expiresWithSession: true, exp: now + 600, iat: now, jti: randomUUID() })],
  ['RefreshToken', () => ({ kind: 'RefreshToken', accountId: 'acct-alice', clientId: 'clinic-portal', grantId: randomUUID(), scope, sessionUid: randomUUID(), authTime: now, rotations: 0, iiat: now, acr: 'x', amr: ['pwd'], resource: 'https://api.example/clinic', exp: now + 28800, iat: now, jti: randomUUID() })],
  ['Interaction', () => ({ kind: 'Interaction', uid: randomUUID(), params: { client_id: 'clinic-portal', redirect_uri: 'https://portal.example.org/callback', response_type: 'code id_token', scope, state: randomBytes(16).toString('base64url'), nonce: randomBytes(16).toString('base64url'), code_challenge: randomBytes(32).toString('base64url'), code_challenge_method: 'S256' }, prompt: { name: 'login', reasons: ['no_session'], details: {} }, returnTo: 'https://idp.example/authorize/x', exp: now + 600, iat: now, jti: randomUUID() })],
];

gc();
const before = process.memoryUsage().heapUsed;
for (let i = 0; i < n; i++) {
  const [model, make] = shapes[i % shapes.length] ?? shapes[0]!;
  await store.adapter(model).upsert(randomUUID(), make(), 3600);
}
gc();
const after = process.memoryUsage().heapUsed;
const perRecord = (after - before) / n;
process.stdout.write(`${n} records: ${((after - before) / 2 ** 20).toFixed(1)} MiB, ${(perRecord / 1024).toFixed(2)} KiB per record; 1,000,000 records ≈ ${((perRecord * 1e6) / 2 ** 30).toFixed(2)} GiB\n`);
await store.close();
