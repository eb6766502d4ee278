// Unit tests of the login throttle (in-process backend, and a real redis-server for where
// the counts are kept) and the in-flight gate.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../src/storage/store.js';
import { inFlightGate } from '../../src/web/in-flight.js';
import { createLoginThrottle, type Refusal, type Reservation, type ThrottleSettings } from '../../src/web/throttle.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';

const settings: ThrottleSettings = {
  address: { attempts: 8, window: 600, blockFor: 600 },
  accountAddress: { attempts: 3, window: 600, blockFor: 900 },
  account: { attempts: 5, window: 300 },
  device: { attempts: 2, window: 600, blockFor: 600 },
  deviceTrust: 3600,
  inFlight: { perAccount: 2, perProcess: 8 },
};
const throttle = () => createLoginThrottle(settings, { lookupKey: randomBytes(32) });
const refused = (r: Reservation | Refusal): Refusal => {
  assert.equal(r.ok, false, 'expected a refusal');
  return r;
};

describe('login throttle (counted before checked)', () => {
  it('reservations made at once are all counted: no more than the limit get through', async () => {
    const t = throttle();
    const results = await Promise.all(Array.from({ length: 10 }, () => t.reserve({ username: 'alice', address: '10.0.0.1' })));
    assert.equal(results.filter((r) => r.ok).length, 3);
    const refusal = refused(results[9]!);
    assert.equal(refusal.limit, 'accountAddress');
    assert.equal(refusal.blocked, true);
    assert.ok(refusal.retryAfter > 600, 'blocked for blockFor (900 s), not just the window');
  });

  it('the username alone is slowed down, not blocked; the name is normalised', async () => {
    const t = throttle();
    for (const username of [' BOB ', 'bob', 'Bob']) assert.ok((await t.reserve({ username, address: '10.0.0.1' })).ok);
    for (let i = 0; i < 2; i++) assert.ok((await t.reserve({ username: 'bob', address: '10.0.0.2' })).ok);
    const refusal = refused(await t.reserve({ username: 'bob', address: '10.0.0.3' }));
    assert.equal(refusal.limit, 'account');
    assert.equal(refusal.blocked, false);
    assert.ok(refusal.retryAfter <= 300, 'waits at most the window');
  });

  it('a browser with the device cookie is counted on its own while the name is slowed down', async () => {
    const t = throttle();
    for (const address of ['10.0.0.1', '10.0.0.2']) for (let i = 0; i < 3; i++) await t.reserve({ username: 'carol', address });
    assert.equal(refused(await t.reserve({ username: 'carol', address: '10.0.0.9' })).limit, 'account');
    const owner = await t.reserve({ username: 'carol', address: '10.0.0.1', device: 'dev-1' });
    assert.ok(owner.ok, 'the owner\'s browser is still checked, even from an address paused for the name');
    await t.reserve({ username: 'carol', address: '10.0.0.9', device: 'dev-1' });
    assert.equal(refused(await t.reserve({ username: 'carol', address: '10.0.0.8', device: 'dev-1' })).limit, 'device', 'the device has its own strict limit');
  });

  it('a refused try does not count against the other limits', async () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) assert.ok((await t.reserve({ username: 'dave', address: '10.0.0.1' })).ok);
    for (let i = 0; i < 5; i++) assert.equal(refused(await t.reserve({ username: 'dave', address: '10.0.0.1' })).limit, 'accountAddress');
    for (let i = 0; i < 2; i++) assert.ok((await t.reserve({ username: 'dave', address: '10.0.0.2' })).ok, 'the name had 3 checks, not 8');
    assert.equal(refused(await t.reserve({ username: 'dave', address: '10.0.0.2' })).limit, 'account');
  });

  it('a success gives its reservation back and starts this address afresh for the name', async () => {
    const t = throttle();
    for (let i = 0; i < 2; i++) await t.reserve({ username: 'eve', address: '10.0.0.1' });
    const ok = await t.reserve({ username: 'eve', address: '10.0.0.1' });
    assert.ok(ok.ok);
    await ok.succeeded();
    for (let i = 0; i < 3; i++) assert.ok((await t.reserve({ username: 'eve', address: '10.0.0.1' })).ok, `after success, try ${i + 1}`);
    assert.equal(refused(await t.reserve({ username: 'eve', address: '10.0.0.2' })).limit, 'account', 'the name lost only the successful try: 2 + 3 = 5');
  });

  it('per address: many names from one address are blocked', async () => {
    const t = throttle();
    for (let i = 0; i < 8; i++) assert.ok((await t.reserve({ username: `user${i}`, address: '10.9.9.9' })).ok);
    assert.equal(refused(await t.reserve({ username: 'someone-new', address: '10.9.9.9' })).limit, 'address');
    assert.ok((await t.reserve({ username: 'someone-new', address: '10.9.9.8' })).ok);
  });
});

describe('in-flight gate', () => {
  it('bounds checks per key and per process, and frees the slot on leaving', () => {
    const gate = inFlightGate(2, 3);
    const a1 = gate.enter('a');
    const a2 = gate.enter('a');
    assert.ok(a1 && a2);
    assert.equal(gate.enter('a'), false, 'per key');
    const b1 = gate.enter('b');
    assert.ok(b1);
    assert.equal(gate.enter('c'), false, 'per process');
    assert.equal(gate.enter(undefined), false, 'no key is still held to the process bound');
    a1();
    a1();
    assert.ok(gate.enter('a'), 'a slot came back (once)');
    assert.equal(gate.enter(undefined), false);
  });
});

describe('login throttle: giving points back', () => {
  it('release() gives back every point the reservation took (a check that did not run is not counted)', async () => {
    const t = throttle();
    for (let i = 0; i < 2; i++) assert.ok((await t.reserve({ username: 'fay', address: '10.0.0.1' })).ok);
    const third = await t.reserve({ username: 'fay', address: '10.0.0.1' });
    assert.ok(third.ok);
    await third.release();
    assert.ok((await t.reserve({ username: 'fay', address: '10.0.0.1' })).ok, 'the released point is free again (3 of 3)');
    assert.equal(refused(await t.reserve({ username: 'fay', address: '10.0.0.1' })).limit, 'accountAddress');
  });

  it('a success from an address gives the address back only that attempt: other names from it stay counted', async () => {
    const t = throttle();
    for (let i = 0; i < 7; i++) assert.ok((await t.reserve({ username: `n${i}`, address: '10.7.7.7' })).ok);
    const eighth = await t.reserve({ username: 'owner', address: '10.7.7.7' });
    assert.ok(eighth.ok);
    await eighth.succeeded();
    assert.ok((await t.reserve({ username: 'n8', address: '10.7.7.7' })).ok, '7 + 1 given back: the 8th check is allowed');
    assert.equal(refused(await t.reserve({ username: 'n9', address: '10.7.7.7' })).limit, 'address', 'not started afresh: the 9th is refused');
  });

  it('a success from the owner\'s browser starts the device afresh', async () => {
    const t = throttle();
    assert.ok((await t.reserve({ username: 'gus', address: '10.0.0.1', device: 'dev-g' })).ok);
    const second = await t.reserve({ username: 'gus', address: '10.0.0.1', device: 'dev-g' });
    assert.ok(second.ok);
    await second.succeeded();
    for (let i = 0; i < 2; i++) assert.ok((await t.reserve({ username: 'gus', address: '10.0.0.1', device: 'dev-g' })).ok, `device try ${i + 1} after success`);
    assert.equal(refused(await t.reserve({ username: 'gus', address: '10.0.0.1', device: 'dev-g' })).limit, 'device');
  });

  it('a refused try during a block does not extend it: the pause ends when the refusal said', async () => {
    const t = createLoginThrottle({ ...settings, accountAddress: { attempts: 1, window: 60, blockFor: 3 } }, { lookupKey: randomBytes(32) });
    assert.ok((await t.reserve({ username: 'jan', address: '10.0.0.1' })).ok);
    assert.equal(refused(await t.reserve({ username: 'jan', address: '10.0.0.1' })).retryAfter, 3);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = refused(await t.reserve({ username: 'jan', address: '10.0.0.1' }));
    assert.equal(later.limit, 'accountAddress');
    assert.ok(later.retryAfter <= 2, `still the first block's end, not a fresh 3 s (${later.retryAfter})`);
  });

  it('a refusal names the longest wait, at least one second, and blocks only on the strict limits', async () => {
    const tight: ThrottleSettings = { ...settings, address: { attempts: 1, window: 60, blockFor: 1200 }, accountAddress: { attempts: 1, window: 60, blockFor: 900 } };
    const t = createLoginThrottle(tight, { lookupKey: randomBytes(32) });
    assert.ok((await t.reserve({ username: 'hal', address: '10.0.0.1' })).ok);
    const refusal = refused(await t.reserve({ username: 'hal', address: '10.0.0.1' }));
    assert.equal(refusal.limit, 'address', 'both strict limits refuse: the address\'s 20-minute block is the longer');
    assert.ok(refusal.retryAfter > 900 && refusal.retryAfter <= 1200, `retryAfter ${refusal.retryAfter}`);
    assert.equal(refusal.blocked, true);
    const zero = createLoginThrottle({ ...settings, device: { attempts: 1, window: 1, blockFor: 0 } }, { lookupKey: randomBytes(32) });
    assert.ok((await zero.reserve({ username: 'ida', address: '10.0.0.1', device: 'd' })).ok);
    assert.ok(refused(await zero.reserve({ username: 'ida', address: '10.0.0.1', device: 'd' })).retryAfter >= 1, 'never "retry after 0 seconds"');
  });
});

// The counts on Redis, as a deployment with replicas keeps them: names and derivation are
// part of the deployment (a change would reset every count at the next deploy, giving a
// guesser fresh attempts), and no name or address is kept in clear (TOK-2: keyed hashes).
void describe('login throttle on Redis: where the counts are', { skip: redisServerSkip() }, () => {
  let server: LocalRedis;
  let client: Redis;
  const keyPrefix = 'idp:t:';
  const lookupKey = randomBytes(32);
  const hash = (kind: string, value: string) => createHmac('sha256', lookupKey).update(`login-throttle:${kind}:${value}`).digest('base64url').slice(0, 32);
  before(async () => {
    server = await startRedisServer();
    client = new Redis(server.url, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    client?.disconnect();
    await server?.stop();
  });
  const onRedis = () => createLoginThrottle(settings, { redis: client, keyPrefix, lookupKey });

  it('each limit counts under <prefix>login:<limit>:<keyed hash>, never the name or address in clear', async () => {
    assert.ok((await onRedis().reserve({ username: ' Jo@x ', address: '10.1.1.1' })).ok);
    assert.ok((await onRedis().reserve({ username: 'jo@x', address: '10.1.1.1', device: 'dev-j' })).ok);
    const counts = async (key: string) => Number(await client.get(key));
    assert.equal(await counts(`${keyPrefix}login:address:${hash('address', '10.1.1.1')}`), 1);
    assert.equal(await counts(`${keyPrefix}login:account-address:${hash('account-address', 'jo@x\n10.1.1.1')}`), 1);
    assert.equal(await counts(`${keyPrefix}login:account:${hash('account', 'jo@x')}`), 1);
    assert.equal(await counts(`${keyPrefix}login:device:${hash('device', 'jo@x\ndev-j')}`), 1);
    // '@' and '.' never occur in a keyed hash, so a match can only be the name or address in clear.
    for (const key of await client.keys(`${keyPrefix}*`)) assert.doesNotMatch(key, /jo@x|10\.1\.1\.1|dev-j/i);
  });

  it('fails closed: a count that cannot be read refuses the check (StoreUnavailableError), and points taken elsewhere go back', async () => {
    const user = 'kim';
    // One limit's count is unreadable (not a counter); the other two work.
    await client.rpush(`${keyPrefix}login:account:${hash('account', user)}`, 'not-a-count');
    await assert.rejects(onRedis().reserve({ username: user, address: '10.2.2.2' }), StoreUnavailableError);
    assert.equal(Number(await client.get(`${keyPrefix}login:address:${hash('address', '10.2.2.2')}`)), 0, 'the address\'s point was given back');
    assert.equal(Number(await client.get(`${keyPrefix}login:account-address:${hash('account-address', `${user}\n10.2.2.2`)}`)), 0);
  });

  it('fails closed with Redis away: no reservation, so no password is checked', async () => {
    const away = new Redis({ port: server.port + 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      const t = createLoginThrottle(settings, { redis: away, keyPrefix, lookupKey });
      await assert.rejects(t.reserve({ username: 'lee', address: '10.3.3.3' }), StoreUnavailableError);
    } finally {
      away.disconnect();
    }
  });
});
