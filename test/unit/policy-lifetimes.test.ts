// Lifetimes inside the guideline, with caps that hold whatever else asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ACCESS_TOKEN_CAP, accessTokenTtl, capsFor, checkLifetimes, refreshTokenTtl, REFRESH_TOKEN_CAP, type Lifetimes } from '../../src/policy/lifetimes.js';

const defaults: Lifetimes = { authorizationCode: 60, accessToken: 600, refreshToken: 28800, idToken: 600, interaction: 600, session: 28800, grant: 7776000, pushedAuthorizationRequest: 60 };
const deviation = (rule: string) => [{ rule, setting: 'lifetimes', reason: 'a documented business need' }];

describe('lifetimes', () => {
  it('the defaults are inside the guideline', () => {
    assert.deepEqual(checkLifetimes(defaults, []), []);
  });

  it('TOK-3: an access-token lifetime of an hour or more is refused without a deviation', () => {
    assert.deepEqual(checkLifetimes({ ...defaults, accessToken: 3600 }, []).map((p) => p.rule), ['TOK-3']);
    assert.deepEqual(checkLifetimes({ ...defaults, accessToken: 3600 }, deviation('TOK-3')), []);
  });

  it('TOK-4: a refresh-token lifetime over 24 hours is refused without a deviation', () => {
    assert.deepEqual(checkLifetimes({ ...defaults, refreshToken: 86401 }, []).map((p) => p.rule), ['TOK-4']);
  });

  it('TOK-1: codes live at most ten minutes', () => {
    assert.deepEqual(checkLifetimes({ ...defaults, authorizationCode: 601 }, []).map((p) => p.rule), ['TOK-1']);
  });

  it('TOK-3: no resource server TTL or configured value yields an access token of an hour or more', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 3599 }), fc.option(fc.integer({ min: 1, max: 10 ** 7 }), { nil: undefined }), (configured, rsTtl) => {
      const lifetimes = { ...defaults, accessToken: configured };
      const ttl = accessTokenTtl(lifetimes, capsFor(lifetimes, []), rsTtl);
      assert.ok(ttl >= 1 && ttl <= ACCESS_TOKEN_CAP && ttl <= configured);
    }));
  });

  it('TOK-4: a rotation chain never outlives its absolute lifetime', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: REFRESH_TOKEN_CAP }), fc.integer({ min: 0, max: 200000 }), (absolute, elapsed) => {
      const lifetimes = { ...defaults, refreshToken: absolute };
      const iiat = 1_700_000_000;
      const now = iiat + elapsed;
      const ttl = refreshTokenTtl(lifetimes, capsFor(lifetimes, []), iiat, now);
      assert.ok(now + ttl <= Math.max(iiat + absolute, now + 1));
    }));
  });
});
