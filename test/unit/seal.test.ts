// TOK-2: the sealing of stored records. Known answers pin the derivation and the format:
// a change to either makes every record already stored unreadable after a deploy, so it
// must fail here first, loudly.
import assert from 'node:assert/strict';
import { createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { createSealer } from '../../src/storage/seal.js';

const KAT_KEY = { kid: 'kat-1', key: Buffer.alloc(32, 0x11) };
const KAT_LOOKUP_SECRET = Buffer.alloc(32, 0x22);
const KAT_PAYLOAD = { kind: 'AccessToken', jti: 'token-value-1', accountId: 'patient-1' };
const KAT_AAD = 'AccessToken:key-1';
/** Sealed by this code with KAT_KEY: a record as a running deployment has it stored. */
const KAT_SEALED =
  'v1.kat-1.TjyI2Rv-2pW-Iul-.og2ThErKO1x8TdwoqR9ADqfGGYmoe-m7Q3Fo_nUBhkxmmRVMAuhKMgrHONKppL7-r9M97oyPyIo8qXbM090BhpOvLaU.49qnNqrsa09GkS2SFFqGHg';

const katSealer = () => createSealer([KAT_KEY], KAT_LOOKUP_SECRET);
const hkdf = (secret: Buffer, label: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), `health-idp ${label}`, 32));

describe('sealing (TOK-2)', () => {
  it('TOK-2: known answer: the storage key of a record is HMAC-SHA256 under the HKDF "lookup" key of model NUL id', () => {
    const sealer = katSealer();
    assert.equal(sealer.lookup('AccessToken', 'token-value-1'), 'SzBxh6lp0nt9wue0EC4WjNJcC9_mrLvxIF1pq2Kzb7Q');
    assert.equal(sealer.lookup('AccessToken#grant', 'grant-1'), '7YQH8MbwkQKQ4BbeI1qbEyfUbdWRdB61lQ5WyZZHFn4');
    // the same derivation written out, so the known answer says what it is
    const expected = createHmac('sha256', hkdf(KAT_LOOKUP_SECRET, 'lookup')).update('AccessToken\0token-value-1').digest('base64url');
    assert.equal(sealer.lookup('AccessToken', 'token-value-1'), expected);
  });

  it('TOK-2: the separator keeps model and id apart: ("ab", "c") and ("a", "bc") are different keys', () => {
    const sealer = katSealer();
    assert.notEqual(sealer.lookup('ab', 'c'), sealer.lookup('a', 'bc'));
  });

  it('TOK-2: known answer: a record sealed by this code still opens (v1, AES-256-GCM under the HKDF "seal" key)', () => {
    assert.deepEqual(katSealer().open(KAT_SEALED, KAT_AAD), KAT_PAYLOAD);
    // and by hand: what an operator recovering a store would do
    const [, , iv, ct, tag] = KAT_SEALED.split('.') as [string, string, string, string, string];
    const decipher = createDecipheriv('aes-256-gcm', hkdf(KAT_KEY.key, 'seal'), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(KAT_AAD));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    assert.deepEqual(JSON.parse(plain), KAT_PAYLOAD);
  });

  it('TOK-2: a sealed record is v1.kid.iv.ciphertext.tag with a 96-bit IV and a 128-bit tag, and hides the payload', () => {
    const sealed = katSealer().seal(KAT_PAYLOAD, KAT_AAD);
    const parts = sealed.split('.');
    assert.equal(parts.length, 5);
    const [version, kid, iv, , tag] = parts as [string, string, string, string, string];
    assert.equal(version, 'v1');
    assert.equal(kid, 'kat-1');
    assert.equal(Buffer.from(iv, 'base64url').length, 12);
    assert.equal(Buffer.from(tag, 'base64url').length, 16);
    assert.ok(!sealed.includes('token-value-1') && !sealed.includes('patient-1'));
    assert.deepEqual(katSealer().open(sealed, KAT_AAD), KAT_PAYLOAD);
  });

  it('TOK-2: IVs never repeat under one key: 5,000 seals (several refills of the IV pool) give 5,000 distinct random IVs', () => {
    const sealer = createSealer([{ kid: 'k', key: randomBytes(32) }], randomBytes(32));
    const ivs = new Set<string>();
    for (let i = 0; i < 5000; i++) ivs.add(sealer.seal({ i }, 'aad').split('.')[2] as string);
    assert.equal(ivs.size, 5000);
    assert.ok(!ivs.has(Buffer.alloc(12).toString('base64url')), 'no all-zero IV');
    // sealing the same payload twice gives two different records
    assert.notEqual(sealer.seal({ same: 1 }, 'aad'), sealer.seal({ same: 1 }, 'aad'));
  });

  it('TOK-2: the JSON-level calls (the request scope keeps the JSON) are seal and open: the known record opens to its JSON, each opens the other\'s output, the AAD still binds', () => {
    const sealer = katSealer();
    assert.equal(typeof sealer.sealJson, 'function');
    assert.equal(typeof sealer.openJson, 'function');
    if (!sealer.sealJson || !sealer.openJson) return;
    assert.deepEqual(JSON.parse(sealer.openJson(KAT_SEALED, KAT_AAD)), KAT_PAYLOAD);
    const json = JSON.stringify(KAT_PAYLOAD);
    assert.deepEqual(sealer.open(sealer.sealJson(json, KAT_AAD), KAT_AAD), KAT_PAYLOAD);
    assert.equal(sealer.openJson(sealer.seal(KAT_PAYLOAD, KAT_AAD), KAT_AAD), json);
    const sealed = sealer.sealJson(json, KAT_AAD);
    assert.throws(() => sealer.openJson?.(sealed, 'AccessToken:key-2'));
  });

  it('TOK-2: a record opens only under the AAD it was sealed with (no moving a record to another key)', () => {
    const sealer = katSealer();
    assert.throws(() => sealer.open(KAT_SEALED, 'AccessToken:key-2'));
    assert.throws(() => sealer.open(KAT_SEALED, ''));
  });

  it('TOK-2: a tampered ciphertext or tag is refused', () => {
    const [v, kid, iv, ct, tag] = KAT_SEALED.split('.') as [string, string, string, string, string];
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    assert.throws(() => katSealer().open([v, kid, iv, flip(ct), tag].join('.'), KAT_AAD));
    assert.throws(() => katSealer().open([v, kid, iv, ct, flip(tag)].join('.'), KAT_AAD));
  });

  it('TOK-2: an unknown version, an unknown key id or a truncated record is reported as such, naming the key id', () => {
    const sealer = katSealer();
    const [, kid, iv, ct, tag] = KAT_SEALED.split('.') as [string, string, string, string, string];
    const unknown = /unknown format or key id "(.*)"/;
    for (const bad of [
      ['v2', kid, iv, ct, tag],
      ['v1', 'other-kid', iv, ct, tag],
      ['v1', kid, '', ct, tag],
      ['v1', kid, iv, '', tag],
      ['v1', kid, iv, ct, ''],
      ['v1', kid, iv, ct],
    ]) {
      assert.throws(() => sealer.open(bad.join('.'), KAT_AAD), unknown, bad.join('.'));
    }
    assert.throws(() => sealer.open('v1.other-kid.a.b.c', KAT_AAD), /key id "other-kid"/);
    assert.throws(() => sealer.open('', KAT_AAD), /key id ""/);
  });

  it('TOK-2: rotation: the first key seals, every listed key opens', () => {
    const old = { kid: 'old', key: randomBytes(32) };
    const fresh = { kid: 'new', key: randomBytes(32) };
    const lookupSecret = randomBytes(32);
    const before = createSealer([old], lookupSecret).seal({ a: 1 }, 'x');
    const rotated = createSealer([fresh, old], lookupSecret);
    assert.deepEqual(rotated.open(before, 'x'), { a: 1 });
    const after = rotated.seal({ b: 2 }, 'x');
    assert.equal(after.split('.')[1], 'new');
    assert.deepEqual(rotated.open(after, 'x'), { b: 2 });
    // the lookup key does not depend on the sealing keys: storage keys survive rotation
    assert.equal(rotated.lookup('Session', 's'), createSealer([old], lookupSecret).lookup('Session', 's'));
  });

  it('TOK-2: no sealing key is a start-up error naming the rule', () => {
    assert.throws(() => createSealer([], randomBytes(32)), /at least one sealing key is required \(TOK-2\)/);
  });
});
