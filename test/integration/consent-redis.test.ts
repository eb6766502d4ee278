// OIDC-8 on the Redis store: the ledger is a sealed stream; the IdP records consents
// there; the export command reads it directly; a Redis outage stops a consent with a
// readable page instead of losing its record.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { emptyAccess } from '../../src/consent/ledger.js';
import { createRedisLedger } from '../../src/consent/redis-ledger.js';
import { redisConnection } from '../../src/storage/redis-client.js';
import { createSealer } from '../../src/storage/seal.js';
import { spa, staticClients } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';

const skip = redisServerSkip();
const key32 = () => randomBytes(32).toString('base64url');

function record(patch: Partial<ConsentRecord> = {}): ConsentRecord {
  return {
    v: 1,
    id: randomUUID(),
    time: new Date().toISOString(),
    decision: 'approve',
    accountId: 'acct-secret-person',
    client: { id: 'c1', name: 'C1', classification: 'PUBLIC' },
    asked: { scopes: ['openid', 'nhi'], claims: ['nhi'], resources: {} },
    granted: { scopes: ['openid', 'nhi'], claims: ['nhi'], resources: {} },
    holds: { scopes: ['openid', 'nhi'], claims: ['nhi'], resources: {} },
    request: { via: 'authorization', redirectUri: 'https://rp.test/cb' },
    grantId: 'grant-1',
    correlationId: 'corr',
    consentText: 'v1',
    ...patch,
  };
}

describe('Redis consent ledger (OIDC-8)', { skip }, () => {
  let server: LocalRedis;
  before(async () => {
    server = await startRedisServer();
  });
  after(() => server?.stop());

  it('appends sealed records to a stream and reads them back by account, client and time', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}:`;
    const sealer = createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32));
    const cfg = { type: 'redis', url: server.url, keyPrefix: prefix } as const;
    const ledger = createRedisLedger(cfg, sealer, { retention: 3600, ownsConnection: true }, redisConnection(cfg, {}));
    const a = record();
    const b = record({ accountId: 'someone-else', client: { id: 'c2', name: 'C2', classification: 'PUBLIC' } });
    const c = record({ decision: 'withdraw', granted: emptyAccess(), holds: emptyAccess() });
    for (const r of [a, b, c]) await ledger.append(r);
    const ids = async (f = {}) => {
      const out: string[] = [];
      for await (const r of ledger.query(f)) out.push(r.id);
      return out;
    };
    assert.deepEqual(await ids(), [a.id, b.id, c.id]);
    assert.deepEqual(await ids({ accountId: 'acct-secret-person' }), [a.id, c.id]);
    assert.deepEqual(await ids({ clientId: 'c2' }), [b.id]);
    assert.deepEqual(await ids({ since: Date.now() + 3600_000 }), []);

    // TOK-2: nothing readable at rest — no account id, scope, claim or redirect URI.
    const raw = new Redis(server.url);
    const keys = await raw.keys(`${prefix}*`);
    assert.ok(keys.every((k) => k.includes('{ledger}')), 'one hash tag: one Cluster slot');
    const dump = JSON.stringify(await raw.xrange(`${prefix}{ledger}s`, '-', '+')) + keys.join(' ');
    for (const needle of ['acct-secret-person', 'nhi', 'rp.test', 'someone-else']) assert.ok(!dump.includes(needle), `${needle} is not in the clear`);
    await raw.quit();
    await ledger.close();
  });

  it('OIDC-8: the stream and the account indexes are trimmed to consent.retention, and expire when idle (issue 12)', async () => {
    const prefix = `t:${randomUUID().slice(0, 8)}:`;
    const sealer = createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32));
    const cfg = { type: 'redis', url: server.url, keyPrefix: prefix } as const;
    const retention = 2;
    const ledger = createRedisLedger(cfg, sealer, { retention, ownsConnection: true }, redisConnection(cfg, {}));
    const raw = new Redis(server.url);
    const stream = `${prefix}{ledger}s`;
    const indexes = async () => (await raw.keys(`${prefix}{ledger}a:*`)).sort();
    try {
      const old = [record({ accountId: 'returning' }), record({ accountId: 'returning' }), record({ accountId: 'gone-quiet' })];
      for (const r of old) await ledger.append(r);
      assert.equal(await raw.xlen(stream), 3);
      assert.equal((await indexes()).length, 2);
      for (const key of [stream, ...(await indexes())]) {
        const ttl = await raw.pttl(key);
        assert.ok(ttl > 0 && ttl <= retention * 1000, `${key} expires within one retention (${ttl} ms)`);
      }
      await sleep(retention * 1000 + 200);
      const fresh = record({ accountId: 'returning' });
      await ledger.append(fresh);
      // Exactly trimmed (no "~" leftovers): only the record inside the retention is kept.
      assert.deepEqual((await raw.xrange(stream, '-', '+')).map(([id]) => id).length, 1);
      const all: string[] = [];
      for await (const r of ledger.query()) all.push(r.id);
      assert.deepEqual(all, [fresh.id]);
      const returning: string[] = [];
      for await (const r of ledger.query({ accountId: 'returning' })) returning.push(r.id);
      assert.deepEqual(returning, [fresh.id]);
      // The returning account's index holds only the fresh id; the quiet account's index expired.
      const left = await indexes();
      assert.equal(left.length, 1, 'the index of the account that stopped deciding is gone');
      assert.equal(await raw.zcard(left[0] ?? ''), 1);
      // Nobody decides for a whole retention: Redis drops the stream and the index.
      await sleep(retention * 1000 + 200);
      assert.equal(await raw.exists(stream), 0);
      assert.deepEqual(await indexes(), []);
    } finally {
      await raw.quit();
      await ledger.close();
    }
  });

  it('OIDC-8: with Redis away the append fails (and does not hang)', async () => {
    const down = await startRedisServer();
    const sealer = createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32));
    const cfg = { type: 'redis', url: down.url, keyPrefix: 'x:' } as const;
    const ledger = createRedisLedger(cfg, sealer, { retention: 3600, ownsConnection: true }, redisConnection(cfg, {}));
    await ledger.append(record());
    await down.stop();
    const started = Date.now();
    await assert.rejects(ledger.append(record()), { name: 'LedgerWriteError' });
    assert.ok(Date.now() - started < 3000);
    await ledger.close();
  });
});

describe('the IdP on Redis records consents in the Redis ledger', { skip }, () => {
  let server: LocalRedis;
  let running: RunningIdp;
  const secrets = { cookieKeys: [key32()], sealingKeys: [{ kid: 'k1', key: key32() }], lookupKey: key32(), dpopNonceKey: key32() };
  const prefix = `idp:${randomUUID().slice(0, 8)}:`;
  before(async () => {
    server = await startRedisServer();
    running = await startIdp({ clients: staticClients, store: { type: 'redis', url: server.url, keyPrefix: prefix }, secrets });
  });
  after(async () => {
    await running?.close();
    await server?.stop();
  });

  it('a consent goes to the stream; the export command reads it straight from Redis', async () => {
    assert.equal(running.idp.ledger.kind, 'redis');
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope: 'openid profile' });
    const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    assert.ok(arrival.url.searchParams.get('code'));
    const mine: ConsentRecord[] = [];
    for await (const r of running.idp.ledger.query({ accountId: 'acct-alice' })) mine.push(r);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.client.id, 'spa');

    const dir = mkdtempSync(join(tmpdir(), 'consent-export-'));
    const path = join(dir, 'deploy.json');
    writeFileSync(path, JSON.stringify({ mode: 'production', issuer: 'https://idp.example', store: { type: 'redis', url: server.url, keyPrefix: prefix }, secrets, keys: { signing: { jwks: { keys: [{ kty: 'EC', crv: 'P-256', d: 'x', x: 'x', y: 'x' }] } } } }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/consent/export.ts', '--config', path, '--client', 'spa']);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as ConsentRecord);
    assert.deepEqual(lines.map((l) => l.id), [mine[0]?.id]);
  });

  it('OIDC-8: Redis down at the consent step → readable page, the flow stops', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope: 'openid email', prompt: 'consent' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    await person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    assert.match(person.lastPage, /name="decision"/);
    await server.stop();
    const arrival = await person.submit('/confirm', { decision: 'approve' });
    assert.equal(arrival, undefined, 'nothing went back to the client');
    assert.ok(person.lastStatus >= 500 && person.lastStatus < 600);
    assert.doesNotMatch(person.lastPage, /at .*\.(ts|js):\d+|ECONNREFUSED|127\.0\.0\.1:\d+/, 'no internals');
    await server.start();
  });
});
