// Issue 12, item 1: every Redis connection (store, consent ledger, export command) uses
// the deployment's credentials. For each topology a password-protected Redis (the
// password never in a URL) serves a full sign-in with consent (the ledger's append), a
// code exchange and a refresh (TOK-4 rotation in the store), and the export command
// reads the decision back (OIDC-8) — through the one connection factory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as oidc from 'openid-client';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import type { RawConfig } from '../../src/config/schema.js';
import { staticClients, web } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { redisServerSkip, startRedisCluster, startRedisSentinel, startRedisServer } from '../helpers/redis-server.js';
import { authorizationRequest, callbackInput, relyingParty } from '../helpers/rp.js';

const skip = redisServerSkip();
const key32 = () => randomBytes(32).toString('base64url');
const secrets = { cookieKeys: [key32()], sealingKeys: [{ kid: 'k1', key: key32() }], lookupKey: key32(), dpopNonceKey: key32() };

type RedisStoreRaw = Extract<NonNullable<RawConfig['store']>, { type: 'redis' }>;

interface Topology {
  name: string;
  /** the store settings without secrets, and the secrets to add (inline for the IdP, env for the command) */
  start(): Promise<{ store: Omit<RedisStoreRaw, 'password' | 'sentinelPassword'>; password: string; sentinelPassword?: string; stop(): Promise<void> }>;
}

const password = () => randomBytes(18).toString('base64url');

const topologies: Topology[] = [
  {
    name: 'standalone with requirepass',
    async start() {
      const pw = password();
      const server = await startRedisServer([], { password: pw });
      return { store: { type: 'redis', url: server.url }, password: pw, stop: () => server.stop() };
    },
  },
  {
    name: 'standalone with an ACL user (default user off)',
    async start() {
      const pw = password();
      const server = await startRedisServer([], { username: 'idp', password: pw });
      return { store: { type: 'redis', url: server.url, username: 'idp' }, password: pw, stop: () => server.stop() };
    },
  },
  {
    name: 'Sentinel with a Sentinel password and a master password',
    async start() {
      const pw = password();
      const sentinelPassword = password();
      const group = await startRedisSentinel({ masterPassword: pw, sentinelPassword });
      return { store: { type: 'redis', sentinels: group.sentinels, name: group.name }, password: pw, sentinelPassword, stop: () => group.stop() };
    },
  },
  {
    name: 'Cluster (3 masters) with a password',
    async start() {
      const pw = password();
      const cluster = await startRedisCluster({ password: pw });
      return { store: { type: 'redis', cluster: cluster.nodes }, password: pw, stop: () => cluster.stop() };
    },
  },
];

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

for (const topology of topologies) {
  void describe(`Redis credentials on every connection: ${topology.name}`, { skip }, () => {
    it('a sign-in with consent, a code exchange, a refresh and the consent export all work (issue 12)', async () => {
      const redis = await topology.start();
      const keyPrefix = `cred:${randomUUID().slice(0, 8)}:`;
      const store = { ...redis.store, keyPrefix, password: redis.password, ...(redis.sentinelPassword ? { sentinelPassword: redis.sentinelPassword } : {}) };
      const running = await startIdp({ clients: staticClients, store, secrets });
      try {
        assert.equal((await fetch(`${running.url}/readyz`)).status, 200, 'the store is ready with the credentials');
        const rp = await relyingParty(running.url, web);
        const pending = await authorizationRequest(rp, { scope: 'openid profile offline_access', prompt: 'consent' });
        // The consent decision is appended to the ledger before the code is issued (OIDC-8):
        // a ledger connection without the password would end this with temporarily_unavailable.
        const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
        assert.equal(arrival.form?.fields.error, undefined, `no error at the relying party: ${arrival.form?.fields.error_description ?? ''}`);
        const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        assert.ok(tokens.refresh_token, 'offline_access gives a refresh token');
        const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token);
        assert.ok(refreshed.access_token);
        assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'TOK-4: rotated');

        // The export command: its own connection, from the deployment file, with the passwords
        // named by environment variables (never in the file, never on the command line).
        const dir = mkdtempSync(join(tmpdir(), 'cred-export-'));
        tempDirs.push(dir);
        const path = join(dir, 'deploy.json');
        const file = {
          mode: 'production',
          issuer: 'https://idp.example',
          store: { ...redis.store, keyPrefix, password: { env: 'TEST_REDIS_PASSWORD' }, ...(redis.sentinelPassword ? { sentinelPassword: { env: 'TEST_SENTINEL_PASSWORD' } } : {}) },
          secrets,
          keys: { signing: { jwks: { keys: [{ kty: 'EC', crv: 'P-256', d: 'x', x: 'x', y: 'x' }] } } },
        };
        writeFileSync(path, JSON.stringify(file), { mode: 0o600 });
        const env = { ...process.env, TEST_REDIS_PASSWORD: redis.password, TEST_SENTINEL_PASSWORD: redis.sentinelPassword ?? '' };
        const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/consent/export.ts', '--config', path, '--client', 'web'], { env, timeout: 30_000 });
        const records = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ConsentRecord);
        assert.equal(records.length, 1, `one consent recorded and exported (stderr: ${stderr})`);
        assert.equal(records[0]?.decision, 'approve');
        assert.equal(records[0]?.accountId, 'acct-alice');
        assert.ok(!stderr.includes(redis.password) && !stdout.includes(redis.password), 'the password is never printed');
      } finally {
        await running.close();
        await redis.stop();
      }
    });
  });
}
