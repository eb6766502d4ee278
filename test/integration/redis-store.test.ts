// The Redis store: the store contract and the record-backend contract on a standalone
// redis-server and on a 3-master Cluster, plus what only Redis can show (TTLs, the index, slots, raw contents, outages).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster, Redis } from 'ioredis';
import { createRedisBackend, createRedisStore } from '../../src/storage/redis.js';
import type { RedisStoreConfig } from '../../src/storage/redis-client.js';
import { createSealer, type Sealer } from '../../src/storage/seal.js';
import { StoreUnavailableError, type Store } from '../../src/storage/store.js';
import { backendContract } from '../contract/backend-contract.js';
import { storeContract } from '../contract/store-contract.js';
import { rawCommand, redisServerSkip, redisSkip, startRedisCluster, startRedisSentinel, startRedisServer, type LocalCluster, type LocalRedis, type LocalSentinel } from '../helpers/redis-server.js';

const skip = redisSkip();
/** Suites that start their own redis-server processes (cluster, outage) even with REDIS_URL. */
const localSkip = skip === false && process.env.REDIS_URL ? redisServerSkip() : skip;

// One standalone server (or REDIS_URL) and one cluster for the whole file, started lazily.
let standalone: LocalRedis | undefined;
let standaloneUrl: string | undefined;
async function redisUrl(): Promise<string> {
  if (process.env.REDIS_URL) return process.env.REDIS_URL;
  standalone ??= await startRedisServer();
  standaloneUrl = standalone.url;
  return standaloneUrl;
}
let cluster: Promise<LocalCluster> | undefined;
const clusterNodes = async () => (await (cluster ??= startRedisCluster())).nodes;

let sentinel: Promise<LocalSentinel> | undefined;

after(async () => {
  await standalone?.stop();
  await (await cluster)?.stop();
  await (await sentinel)?.stop();
});

/** A unique prefix per store, so that a shared REDIS_URL server is never wiped. */
const prefix = () => `test:${randomUUID().slice(0, 8)}:`;

async function standaloneConfig(): Promise<RedisStoreConfig> {
  return { type: 'redis', url: await redisUrl(), keyPrefix: prefix() };
}
async function clusterConfig(): Promise<RedisStoreConfig> {
  return { type: 'redis', cluster: await clusterNodes(), keyPrefix: prefix() };
}

/** A raw client on the same Redis, to look at what the store wrote. */
function rawClient(config: RedisStoreConfig): Redis | Cluster {
  return config.cluster ? new Cluster(config.cluster) : new Redis(config.url ?? '');
}

/** Every key under the prefix and every value it holds, read independently of the store. */
async function rawContents(raw: Redis | Cluster, keyPrefix: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const nodes = raw instanceof Cluster ? raw.nodes('master') : [raw];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await node.type(key);
        if (type === 'string') out.set(key, [(await node.get(key)) ?? '']);
        else if (type === 'zset') out.set(key, await node.zrange(key, '0', '-1'));
        else if (type === 'set') out.set(key, await node.smembers(key));
        else if (type === 'hash') out.set(key, Object.entries(await node.hgetall(key)).flat());
        else if (type === 'list') out.set(key, await node.lrange(key, 0, -1));
        else out.set(key, [`<${type}>`]);
      }
    } while (cursor !== '0');
  }
  return out;
}

const sealer = (): Sealer => createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32));

storeContract('redis standalone', async (s) => ({ store: await createRedisStore(await standaloneConfig(), s, {}) }), { skip });
storeContract('redis cluster (3 masters)', async (s) => ({ store: await createRedisStore(await clusterConfig(), s, {}) }), { skip: localSkip });
storeContract('redis through Sentinel', async (s) => {
  const group = await (sentinel ??= startRedisSentinel());
  return { store: await createRedisStore({ type: 'redis', sentinels: group.sentinels, name: group.name, keyPrefix: prefix() }, s, {}) };
}, { skip: localSkip });

backendContract('redis standalone', async () => ({ backend: await createRedisBackend(await standaloneConfig(), {}) }), { skip });
backendContract('redis cluster (3 masters)', async () => ({ backend: await createRedisBackend(await clusterConfig(), {}) }), { skip: localSkip });

for (const [kind, config, skipped] of [
  ['standalone', standaloneConfig, skip],
  ['cluster', clusterConfig, localSkip],
] as const) {
  void describe(`redis store (${kind}): keys, TTLs and index`, { skip: skipped }, () => {
    let cfg: RedisStoreConfig;
    let store: Store;
    let raw: Redis | Cluster;
    let keysBefore: Set<string>;
    const newKeys = async () => [...(await rawContents(raw, cfg.keyPrefix)).keys()].filter((k) => !keysBefore.has(k));

    before(async () => {
      cfg = await config();
      store = await createRedisStore(cfg, sealer(), {});
      raw = rawClient(cfg);
    });
    after(async () => {
      await store.close();
      raw.disconnect();
    });

    void it('TOK-1: the whole grant flow touches keys with a TTL, and consume keeps it', async () => {
      keysBefore = new Set((await rawContents(raw, cfg.keyPrefix)).keys());
      const grantId = randomUUID();
      const code = randomUUID();
      await store.adapter('AuthorizationCode').upsert(code, { kind: 'AuthorizationCode', grantId, accountId: 'x' }, 30);
      await store.adapter('Session').upsert(randomUUID(), { kind: 'Session', uid: randomUUID() }, 30);
      await store.adapter('ReplayDetection').upsert(randomUUID(), { kind: 'ReplayDetection' }, 30);
      const keys = await newKeys();
      assert.equal(keys.length, 6, `code home (locator), code record, grant index, session, uid alias, replay id: ${keys.length}`);
      for (const key of keys) {
        const pttl = await raw.pttl(key);
        assert.ok(pttl > 25_000 && pttl <= 30_000, `every key expires with its record (pttl ${pttl})`);
      }
      const record = keys.find((k) => k.includes('}r:'));
      assert.ok(record);
      await sleep(1100);
      const before = await raw.pttl(record);
      await store.adapter('AuthorizationCode').consume(code);
      const afterConsume = await raw.pttl(record);
      assert.ok(afterConsume > 0 && afterConsume <= before, `consume keeps the TTL (${before} → ${afterConsume})`);
      await store.adapter('AuthorizationCode').revokeByGrantId(grantId);
    });

    void it('records without expiry get no TTL, and their index persists', async () => {
      keysBefore = new Set((await rawContents(raw, cfg.keyPrefix)).keys());
      const grantId = randomUUID();
      await store.adapter('RefreshToken').upsert(randomUUID(), { kind: 'RefreshToken', grantId }, undefined);
      await store.adapter('Client').upsert(randomUUID(), { client_id: 'c' }, undefined);
      const keys = await newKeys();
      assert.equal(keys.length, 4);
      for (const key of keys) assert.equal(await raw.pttl(key), -1, 'no TTL on a record without expiry');
      await store.adapter('RefreshToken').revokeByGrantId(grantId);
    });

    void it('the grant index: one slot per grant, TTL ≥ its longest member, expired members pruned', async () => {
      keysBefore = new Set((await rawContents(raw, cfg.keyPrefix)).keys());
      const grantId = randomUUID();
      const at = store.adapter('AccessToken');
      await at.upsert(randomUUID(), { kind: 'AccessToken', grantId }, 1);
      await at.upsert(randomUUID(), { kind: 'AccessToken', grantId }, 20);
      await at.upsert(randomUUID(), { kind: 'AccessToken', grantId }, 5);
      const index = (await newKeys()).find((k) => k.includes('}i:AccessToken'));
      assert.ok(index, 'the index exists');
      const members = await raw.zrange(index, '0', '-1');
      assert.equal(members.length, 3);
      const slot = (key: string) => raw.call('CLUSTER', 'KEYSLOT', key);
      if (raw instanceof Cluster) {
        const indexSlot = await slot(index);
        for (const m of members) assert.equal(await slot(m), indexSlot, 'members share the index slot');
      }
      const memberTtls = await Promise.all(members.map((m) => raw.pttl(m)));
      const indexTtl = await raw.pttl(index);
      assert.ok(indexTtl >= Math.max(...memberTtls) - 5, `index TTL ${indexTtl} ≥ longest member ${Math.max(...memberTtls)}`);
      await sleep(1100);
      await at.upsert(randomUUID(), { kind: 'AccessToken', grantId }, 2);
      assert.equal(await raw.zcard(index), 3, 'the expired member was pruned on the next add');
      assert.ok((await raw.pttl(index)) >= Math.max(...(await Promise.all((await raw.zrange(index, '0', '-1')).map((m) => raw.pttl(m))))) - 5);
      await at.revokeByGrantId(grantId);
      assert.equal(await raw.exists(index), 0, 'revoke deletes the index');
    });

    void it('TOK-2: a raw SCAN of every key and value shows no id, token value, email or NHI', async () => {
      const email = `someone.${randomUUID().slice(0, 6)}@example.org`;
      const nhi = 'ZAC5361';
      const ids = Object.fromEntries(
        ['AccessToken', 'RefreshToken', 'AuthorizationCode', 'Session', 'Client', 'DeviceCode', 'Interaction'].map((m) => [m, `${m}-${randomUUID()}`]),
      );
      const grantId = `grant-${randomUUID()}`;
      const uid = `uid-${randomUUID()}`;
      const userCode = `UC-${randomUUID()}`;
      const secretValue = `secret-${randomUUID()}`;
      for (const [model, id] of Object.entries(ids)) {
        await store.adapter(model).upsert(
          id,
          { kind: model, grantId, uid, userCode, accountId: nhi, extra: { email }, client_secret: secretValue },
          60,
        );
      }
      await store.adapter('AuthorizationCode').consume(ids.AuthorizationCode ?? '');
      const contents = await rawContents(raw, cfg.keyPrefix);
      assert.ok(contents.size > 7);
      const needles = [...Object.values(ids), grantId, uid, userCode, secretValue, email, nhi];
      for (const [key, values] of contents) {
        for (const needle of needles) {
          assert.equal(key.includes(needle), false, 'a key contains a plaintext value');
          assert.equal(values.some((v) => v.includes(needle)), false, 'a value contains a plaintext value');
        }
      }
    });
  });
}

void describe('redis store: outage and recovery (standalone)', { skip: localSkip }, () => {
  let server: LocalRedis;
  let store: Store;

  before(async () => {
    server = await startRedisServer();
    store = await createRedisStore({ type: 'redis', url: server.url, keyPrefix: prefix() }, sealer(), {});
  });
  after(async () => {
    await store.close();
    await server.stop();
  });

  void it('calls fail fast with StoreUnavailableError while Redis is down, and recover without a new store', async () => {
    const tokens = store.adapter('AccessToken');
    await tokens.upsert('before', { kind: 'AccessToken' }, 60);
    assert.equal(await store.ready(), true);

    await server.stop();
    await sleep(100);
    for (const call of [() => tokens.find('before'), () => tokens.upsert('x', { kind: 'AccessToken' }, 60), () => tokens.consume('x')]) {
      const started = Date.now();
      await assert.rejects(call(), (err: unknown) => {
        assert.ok(err instanceof StoreUnavailableError, String(err));
        assert.equal(err.status, 503);
        assert.equal(err.error, 'temporarily_unavailable');
        return true;
      });
      assert.ok(Date.now() - started < 2000, 'fails fast');
    }
    const readyStarted = Date.now();
    assert.equal(await store.ready(), false);
    assert.ok(Date.now() - readyStarted < 2000);

    await server.start();
    const deadline = Date.now() + 5000;
    while (!(await store.ready())) {
      assert.ok(Date.now() < deadline, 'ready again within 5 s of Redis coming back');
      await sleep(100);
    }
    await tokens.upsert('after', { kind: 'AccessToken', scope: 'openid' }, 60);
    assert.equal((await tokens.find('after'))?.scope, 'openid');
    assert.equal(store.stats().connected, 1);
    assert.ok((store.stats().unavailable ?? 0) >= 3);
  });

  it('starts while Redis is down (unready, not crashed) and becomes ready when it comes up', async () => {
    await server.stop();
    const started = Date.now();
    const late = await createRedisStore({ type: 'redis', url: server.url, keyPrefix: prefix() }, sealer(), {});
    try {
      assert.ok(Date.now() - started < 4000, 'start-up does not hang on an outage');
      assert.equal(await late.ready(), false);
      await assert.rejects(late.adapter('Session').find('x'), StoreUnavailableError);
      await server.start();
      const deadline = Date.now() + 5000;
      while (!(await late.ready())) {
        assert.ok(Date.now() < deadline, 'ready within 5 s of Redis coming up');
        await sleep(100);
      }
      assert.equal(await late.adapter('Session').find('x'), undefined);
    } finally {
      await late.close();
    }
  });

  it('a full Redis (maxmemory, noeviction) is an outage too: writes get StoreUnavailableError, reads go on', async () => {
    const tokens = store.adapter('AccessToken');
    const deadline = Date.now() + 5000;
    while (!(await store.ready())) {
      assert.ok(Date.now() < deadline, 'ready');
      await sleep(100);
    }
    await tokens.upsert('kept', { kind: 'AccessToken', scope: 'openid' }, 60);
    assert.match(await rawCommand(server.port, 'CONFIG SET maxmemory 1'), /^\+OK/);
    try {
      await assert.rejects(tokens.upsert('refused', { kind: 'AccessToken' }, 60), (err: unknown) => err instanceof StoreUnavailableError && err.status === 503);
      assert.equal((await tokens.find('kept'))?.scope, 'openid');
    } finally {
      await rawCommand(server.port, 'CONFIG SET maxmemory 0');
    }
    await tokens.upsert('accepted', { kind: 'AccessToken' }, 60);
  });

  it('refuses a key prefix with hash-tag braces', async () => {
    await assert.rejects(createRedisStore({ type: 'redis', url: server.url, keyPrefix: 'idp{x}:' }, sealer(), {}), /keyPrefix/);
  });
});

void describe('redis store: a password-protected Redis', { skip: localSkip }, () => {
  const password = randomBytes(24).toString('base64url');
  let server: LocalRedis;
  before(async () => {
    server = await startRedisServer();
    assert.match(await rawCommand(server.port, `CONFIG SET requirepass ${password}`), /^\+OK/);
  });
  after(() => server.stop());

  it('works with store.password, and is not ready without it (the password never in a URL)', async () => {
    const cfg: RedisStoreConfig = { type: 'redis', url: server.url, keyPrefix: prefix() };
    const withPassword = await createRedisStore(cfg, sealer(), { password });
    try {
      assert.equal(await withPassword.ready(), true);
      await withPassword.adapter('Session').upsert('sid-1', { uid: 'u1', accountId: 'a' }, 60);
      assert.equal((await withPassword.adapter('Session').find('sid-1'))?.accountId, 'a');
    } finally {
      await withPassword.close();
    }
    const without = await createRedisStore(cfg, sealer(), {});
    try {
      assert.equal(await without.ready(), false);
    } finally {
      await without.close();
    }
  });
});

void describe('redis store: store.waitForReplicas (issue 12)', { skip }, () => {
  it('TOK-1: with replicas required and none there, a single-use write answers 503 temporarily_unavailable; other writes go on', async () => {
    const cfg: RedisStoreConfig = { ...(await standaloneConfig()), waitForReplicas: { replicas: 1, timeoutMs: 100 } };
    const store = await createRedisStore(cfg, sealer(), {});
    try {
      await store.adapter('Session').upsert('sid', { kind: 'Session' }, 60);
      for (const model of ['AuthorizationCode', 'ReplayDetection', 'PushedAuthorizationRequest']) {
        await assert.rejects(store.adapter(model).upsert(randomUUID(), { kind: model }, 60), (err: unknown) => err instanceof StoreUnavailableError && err.status === 503);
      }
      await assert.rejects(store.waitForReplicas?.() ?? Promise.resolve(), StoreUnavailableError);
    } finally {
      await store.close();
    }
  });

  it('false never waits; unset waits only where the master has a replica (none here)', async () => {
    for (const waitForReplicas of [false, undefined] as const) {
      const store = await createRedisStore({ ...(await standaloneConfig()), ...(waitForReplicas === undefined ? {} : { waitForReplicas }) }, sealer(), {});
      try {
        await store.adapter('AuthorizationCode').upsert(randomUUID(), { kind: 'AuthorizationCode' }, 60);
      } finally {
        await store.close();
      }
    }
  });
});
