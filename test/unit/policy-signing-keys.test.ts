// EP-7, TOK-9 (src/policy/signing-keys.ts): which key can sign with which algorithm, how long
// an RSA key is, and what an operator is told about the signing JWKS. Pure: JWKs in, problems
// out, so the keys here are shapes (kty, crv, n, d), not real key material.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSigningJwks, keyName, rsaBits, RSA_MIN_BITS } from '../../src/policy/signing-keys.js';

const d = 'private';
const ec = (crv: string, extra: Record<string, unknown> = {}) => ({ kty: 'EC', crv, d, ...extra });
/** An RSA modulus of exactly `bits` bits, base64url, with a leading zero byte as some encoders write. */
const modulus = (bits: number, leadingZero = false) => {
  const bytes = Buffer.alloc(Math.ceil(bits / 8));
  bytes[0] = 1 << ((bits - 1) % 8);
  return Buffer.concat([Buffer.alloc(leadingZero ? 1 : 0), bytes]).toString('base64url');
};
const rsa = (bits = 2048, extra: Record<string, unknown> = {}) => ({ kty: 'RSA', n: modulus(bits), d, ...extra });
const missingFor = (keys: Record<string, unknown>[], algs: string[]) =>
  checkSigningJwks(keys, algs).filter((p) => p.rule === 'TOK-9').map((p) => p.message);

describe('TOK-9: a key signs only with the algorithms its type and curve fit', () => {
  it('TOK-9: ES256, ES384 and ES512 need an EC key on P-256, P-384 and P-521; RSA and EdDSA keys do not do', () => {
    assert.deepEqual(missingFor([ec('P-256'), ec('P-384'), ec('P-521')], ['ES256', 'ES384', 'ES512']), []);
    assert.deepEqual(missingFor([ec('P-384'), rsa(), { kty: 'OKP', crv: 'Ed25519', d }], ['ES256']), ['has no private key for ES256, which algorithms.* enables']);
    assert.deepEqual(missingFor([{ kty: 'OKP', crv: 'P-256', d }], ['ES256']), ['has no private key for ES256, which algorithms.* enables']);
    for (const [alg, crv] of [['ES256', 'P-256'], ['ES384', 'P-384'], ['ES512', 'P-521']] as const) {
      assert.deepEqual(missingFor([ec(crv)], [alg]), [], `${alg} on ${crv}`);
      assert.equal(missingFor([ec('P-256K'), { kty: 'OKP', crv, d }], [alg]).length, 1, `${alg} needs both EC and ${crv}`);
    }
  });

  it('TOK-9: PS* and RS* need an RSA key; EdDSA and Ed25519 an OKP key; an algorithm outside these no key at all', () => {
    assert.deepEqual(missingFor([rsa()], ['PS256', 'RS256']), []);
    assert.deepEqual(missingFor([ec('P-256')], ['PS256', 'RS256']).length, 2);
    assert.deepEqual(missingFor([{ kty: 'OKP', crv: 'Ed25519', d }], ['EdDSA', 'Ed25519']), []);
    assert.deepEqual(missingFor([ec('P-256'), rsa()], ['EdDSA', 'Ed25519']).length, 2);
    assert.deepEqual(missingFor([rsa(), ec('P-256'), { kty: 'OKP', d }], ['HS256']), ['has no private key for HS256, which algorithms.* enables']);
  });

  it('TOK-9: a key that names its own alg signs with that one only', () => {
    assert.deepEqual(missingFor([rsa(2048, { alg: 'RS256' })], ['PS256']), ['has no private key for PS256, which algorithms.* enables']);
    assert.deepEqual(missingFor([rsa(2048, { alg: 'PS256' })], ['PS256']), []);
    assert.deepEqual(missingFor([ec('P-256', { alg: 7 })], ['ES256']), [], 'an alg that is not a string restricts nothing');
  });
});

describe('TOK-9: RSA key length', () => {
  it('TOK-9: the length is the modulus\'s bit length, leading zero bytes left out; other keys have none', () => {
    assert.equal(rsaBits(rsa(2048)), 2048);
    assert.equal(rsaBits({ kty: 'RSA', n: modulus(2048, true) }), 2048);
    assert.equal(rsaBits(rsa(3071)), 3071);
    assert.equal(rsaBits({ kty: 'RSA', n: Buffer.alloc(4).toString('base64url') }), 0);
    assert.equal(rsaBits(ec('P-256')), undefined);
    assert.equal(rsaBits({ kty: 'RSA' }), undefined);
    assert.equal(rsaBits({ kty: 'EC', n: modulus(1024) }), undefined);
  });

  it(`TOK-9: an RSA key of ${RSA_MIN_BITS} bits passes and one bit less is refused, naming the key and both lengths`, () => {
    assert.deepEqual(checkSigningJwks([rsa(RSA_MIN_BITS)], ['PS256']), []);
    assert.deepEqual(checkSigningJwks([rsa(RSA_MIN_BITS - 1, { kid: 'old' })], ['PS256']), [
      { field: 'keys.signing', message: `keys[0] (kid "old"): an RSA key of ${RSA_MIN_BITS - 1} bits is too short; use at least ${RSA_MIN_BITS}`, rule: 'TOK-9' },
    ]);
  });
});

describe('EP-7: the signing JWKS holds private keys', () => {
  it('EP-7: a key is named by its index, and its kid when it has one', () => {
    assert.equal(keyName({ kid: 'a' }, 2), 'keys[2] (kid "a")');
    assert.equal(keyName({ kid: 3 }, 1), 'keys[1]');
  });

  it('EP-7: public keys only is one problem, said once; a public key among private ones is named', () => {
    assert.deepEqual(checkSigningJwks([{ kty: 'EC', crv: 'P-256' }], ['ES256'], 'keys.file'), [
      { field: 'keys.file', message: 'holds public keys only; the IdP needs the private keys (with "d") to sign', rule: 'EP-7' },
    ]);
    assert.deepEqual(checkSigningJwks([ec('P-256'), { kty: 'EC', crv: 'P-256' }], ['ES256']), [
      { field: 'keys.signing', message: 'keys[1] is a public key; list private keys only (their public halves are published at /jwks)', rule: 'EP-7' },
    ]);
    assert.deepEqual(checkSigningJwks([], ['ES256']).map((p) => p.message), ['has no private key for ES256, which algorithms.* enables']);
  });

  it('EP-7: a public key does not count as the key for an algorithm', () => {
    assert.deepEqual(missingFor([ec('P-256'), { kty: 'RSA', n: modulus(2048) }], ['PS256']), ['has no private key for PS256, which algorithms.* enables']);
  });
});
