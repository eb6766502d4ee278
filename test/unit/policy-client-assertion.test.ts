// The token endpoint's answers about how a client authenticated (src/policy/executors/client-auth.ts,
// used by src/provider/client-auth.ts): a client assertion's audience (EP-2), the algorithm it
// is signed with (TOK-9), and HTTP Basic (EP-2). Pure functions, so their decisions and the
// words a client developer reads are pinned here rather than only through a whole IdP.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertionAlgRefusal, basicAuthRefusal, checkClientAssertionAudience } from '../../src/policy/executors/client-auth.js';

const ISSUER = 'https://idp.example.govt.nz';
const TOKEN = 'https://idp.example.govt.nz/token';
const ACCEPTED = [ISSUER, TOKEN];
const REFUSED = "the client assertion's aud must be a single value: the issuer or the token endpoint URL (EP-2)";

describe('client assertion audience (EP-2)', () => {
  it('EP-2: the issuer or the token endpoint, as a string or a one-element array, is accepted', () => {
    for (const aud of [ISSUER, TOKEN, [ISSUER], [TOKEN]]) {
      assert.equal(checkClientAssertionAudience(aud, ACCEPTED), undefined, JSON.stringify(aud));
    }
  });

  it('EP-2: an array naming another server as well is refused (audience injection), even when every value is ours', () => {
    for (const aud of [[ISSUER, 'https://other.example'], ['https://other.example', TOKEN], [ISSUER, TOKEN]]) {
      assert.equal(checkClientAssertionAudience(aud, ACCEPTED), REFUSED, JSON.stringify(aud));
    }
  });

  it('EP-2: another server, an empty array, a missing aud or a non-string is refused', () => {
    for (const aud of ['https://other.example', `${ISSUER}/`, [], undefined, 42, [42], null]) {
      assert.equal(checkClientAssertionAudience(aud, ACCEPTED), REFUSED, JSON.stringify(aud));
    }
  });
});

describe('client assertion algorithm (TOK-9)', () => {
  it('TOK-9: the refusal names the algorithm used and every accepted one', () => {
    assert.equal(
      assertionAlgRefusal('HS256', ['PS256', 'ES256']),
      'the client assertion is signed with HS256, which is not accepted here; accepted: PS256, ES256 (TOK-9)',
    );
  });

  it('TOK-9: a long algorithm name is cut to 20 characters (a caller never gets its input echoed back at length)', () => {
    const message = assertionAlgRefusal('A'.repeat(200), ['PS256']);
    assert.ok(message.includes(` ${'A'.repeat(20)}, `), message);
    assert.ok(!message.includes('A'.repeat(21)), message);
  });

  it('TOK-9: an assertion without an algorithm is said to have none', () => {
    for (const alg of [undefined, 7, null]) {
      assert.equal(assertionAlgRefusal(alg, ['ES256']), 'the client assertion is signed with no algorithm, which is not accepted here; accepted: ES256 (TOK-9)');
    }
  });
});

describe('HTTP Basic client authentication (EP-2)', () => {
  it('EP-2: client_secret_basic is refused, naming the methods the client may use instead', () => {
    assert.equal(
      basicAuthRefusal(['client_secret_post', 'private_key_jwt']),
      'HTTP Basic client authentication (client_secret_basic) is not approved; use client_secret_post or private_key_jwt (EP-2)',
    );
  });
});
