// Unit tests of the login throttle (in-process backend) and the in-flight gate.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { inFlightGate } from '../../src/web/in-flight.js';
import { createLoginThrottle, type Refusal, type Reservation, type ThrottleSettings } from '../../src/web/throttle.js';

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
