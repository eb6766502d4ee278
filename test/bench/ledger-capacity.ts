// Redis memory per consent decision (config/guides/redis.md: The consent ledger's size):
//   node --import tsx test/bench/ledger-capacity.ts [N]
// Appends N decisions shaped like a sign-in's consent to a throw-away redis-server, each
// by its own account (the worst case: one index per decision) and then N more by 100
// returning accounts, and prints Redis' used_memory growth per decision.
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { createRedisLedger } from '../../src/consent/redis-ledger.js';
import { redisConnection } from '../../src/storage/redis-client.js';
import { createSealer } from '../../src/storage/seal.js';
import { startRedisServer } from '../helpers/redis-server.js';

const n = Number(process.argv[2] ?? 20_000);
const server = await startRedisServer();
const cfg = { type: 'redis', url: server.url, keyPrefix: 'idp:' } as const;
const ledger = createRedisLedger(cfg, createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32)), { retention: 7 * 365 * 24 * 3600, ownsConnection: true }, redisConnection(cfg, {}));
const raw = new Redis(server.url);
const used = async () => Number(/used_memory:(\d+)/.exec(await raw.info('memory'))?.[1] ?? 0);
const access = { scopes: ['openid', 'profile', 'email', 'offline_access'], claims: ['name', 'birthdate', 'email'], resources: { 'https://api.example.org/clinic': ['clinic.read'] } };
const decision = (accountId: string): ConsentRecord => ({
  v: 1, id: randomUUID(), time: new Date().toISOString(), decision: 'approve', accountId,
  client: { id: 'clinic-portal', name: 'Clinic portal', classification: 'IN-CONFIDENCE' },
  asked: access, granted: access, holds: access,
  request: { via: 'authorization', redirectUri: 'https://portal.example.org/callback', responseType: 'code id_token', responseMode: 'form_post', par: false, acr: 'urn:example:acr:password', prompt: 'consent' },
  grantId: randomBytes(32).toString('base64url'), expiresAt: new Date(Date.now() + 7776000_000).toISOString(),
  correlationId: randomUUID(), consentText: `sha256:${randomBytes(32).toString('hex')}`,
});
for (const [label, account] of [['one account each', () => randomUUID()], ['100 returning accounts', () => `acct-${Math.floor(Math.random() * 100)}`]] as const) {
  await raw.flushall();
  const before = await used();
  for (let i = 0; i < n; i++) await ledger.append(decision(account()));
  const per = ((await used()) - before) / n;
  process.stdout.write(`${label}: ${(per / 1024).toFixed(2)} KiB per decision; 1,000,000 decisions ≈ ${((per * 1e6) / 2 ** 30).toFixed(2)} GiB\n`);
}
await raw.quit();
await ledger.close();
await server.stop();
