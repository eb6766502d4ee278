// EP-7: the signing-key states as pure functions of (key file, time).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keyStatus, nextActivation, providerJwks, retire } from '../../src/keys/lifecycle.js';

const key = (kid: string, alg: string, activateAt?: number) => ({ kty: alg.startsWith('ES') ? 'EC' : 'RSA', kid, alg, d: 'x', ...(activateAt === undefined ? {} : { activate_at: activateAt }) });

describe('EP-7 signing-key lifecycle', () => {
  const file = { keys: [key('old', 'ES256', 100), key('next', 'ES256', 200), key('rsa', 'PS256', 100)] };

  it('EP-7: before its time a rotated key is pending and the old one signs; after it, the old one is superseded', () => {
    assert.deepEqual(keyStatus(file, 150).map((s) => s.state), ['active', 'pending', 'active']);
    assert.deepEqual(keyStatus(file, 200).map((s) => s.state), ['superseded', 'active', 'active']);
    assert.equal(keyStatus(file, 250)[0]?.stoppedAt, 200);
    assert.equal(nextActivation(file, 150), 200);
    assert.equal(nextActivation(file, 200), undefined);
  });

  it('EP-7: the provider gets active keys first, the others verify-only, without the private state member', () => {
    const given = providerJwks(file, 150);
    assert.deepEqual(given.keys.map((k) => k.kid), ['old', 'rsa', 'next']);
    assert.deepEqual(given.keys[2]?.key_ops, ['verify']);
    assert.equal(given.keys[0]?.key_ops, undefined);
    assert.ok(given.keys.every((k) => !('activate_at' in k)));
  });

  it('EP-7: keys without state (older files) all stay active', () => {
    const legacy = { keys: [key('a', 'ES256'), key('b', 'ES256')] };
    assert.deepEqual(keyStatus(legacy, 1000).map((s) => s.state), ['active', 'active']);
  });

  it('EP-7: retire waits for the longest token lifetime after the key stopped signing, unless forced', () => {
    const early = retire(file, 250, 600);
    assert.deepEqual(early.removed, []);
    assert.deepEqual(early.tooYoung.map((s) => s.kid), ['old']);
    assert.deepEqual(retire(file, 800, 600).jwks.keys.map((k) => k.kid), ['next', 'rsa']);
    assert.deepEqual(retire(file, 250, 600, true).removed.map((s) => s.kid), ['old']);
    // Never an active or pending key, even forced.
    assert.deepEqual(retire(file, 150, 0, true).removed, []);
  });
});
