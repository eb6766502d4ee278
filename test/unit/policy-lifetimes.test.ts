// Lifetimes inside the guideline, with caps that hold whatever else asks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ACCESS_TOKEN_CAP, accessTokenTtl, AUTHORIZATION_CODE_CAP, capsFor, checkLifetimes, refreshTokenTtl, REFRESH_TOKEN_CAP, type Lifetimes } from '../../src/policy/executors/lifetimes.js';

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

describe('lifetime caps at the cap and one past it', () => {
  const problems = (l: Partial<Lifetimes>, rule?: string) => checkLifetimes({ ...defaults, ...l }, rule ? deviation(rule) : []);

  it('TOK-3: 3599 s passes; 3600 s is refused naming the field and rule; a TOK-3 deviation allows it', () => {
    assert.equal(ACCESS_TOKEN_CAP, 3599);
    assert.deepEqual(problems({ accessToken: 3599 }), []);
    assert.deepEqual(problems({ accessToken: 3600 }), [
      { field: 'lifetimes.accessToken', message: 'must be at most 3599 seconds (is 3600); or declare a TOK-3 deviation', rule: 'TOK-3' },
    ]);
    assert.deepEqual(problems({ accessToken: 7200 }, 'TOK-3'), []);
    assert.deepEqual(problems({ accessToken: 3600 }, 'TOK-4').map((p) => p.rule), ['TOK-3'], 'another rule\'s deviation does not waive TOK-3');
  });

  it('TOK-4: 86400 s passes; 86401 s is refused naming the field and rule; a TOK-4 deviation allows it', () => {
    assert.equal(REFRESH_TOKEN_CAP, 86400);
    assert.deepEqual(problems({ refreshToken: 86400 }), []);
    assert.deepEqual(problems({ refreshToken: 86401 }), [
      { field: 'lifetimes.refreshToken', message: 'must be at most 86400 seconds (is 86401); or declare a TOK-4 deviation', rule: 'TOK-4' },
    ]);
    assert.deepEqual(problems({ refreshToken: 86401 }, 'TOK-4'), []);
    assert.deepEqual(problems({ refreshToken: 86401 }, 'TOK-3').map((p) => p.rule), ['TOK-4']);
  });

  it('TOK-1: a code lifetime of 600 s passes; 601 s is refused, and no deviation waives it (a MUST)', () => {
    assert.equal(AUTHORIZATION_CODE_CAP, 600);
    assert.deepEqual(problems({ authorizationCode: 600 }), []);
    assert.deepEqual(problems({ authorizationCode: 601 }), [{ field: 'lifetimes.authorizationCode', message: 'must be at most 600 seconds', rule: 'TOK-1' }]);
    assert.deepEqual(problems({ authorizationCode: 601 }, 'TOK-1').map((p) => p.rule), ['TOK-1']);
  });

  it('a session as long as its grant passes; one second longer is refused (the consent it rests on)', () => {
    assert.deepEqual(problems({ session: 7776000, grant: 7776000 }), []);
    assert.deepEqual(problems({ session: 7776001, grant: 7776000 }), [
      { field: 'lifetimes.session', message: 'must not outlive lifetimes.grant (the consent it rests on)' },
    ]);
  });

  it('TOK-3, TOK-4: the caps in force are the guideline\'s, or the configured value under a deviation', () => {
    const long = { ...defaults, accessToken: 7200, refreshToken: 172800 };
    assert.deepEqual(capsFor(long, []), { accessToken: 3599, refreshToken: 86400 });
    assert.deepEqual(capsFor(long, deviation('TOK-3')), { accessToken: 7200, refreshToken: 86400 });
    assert.deepEqual(capsFor(long, deviation('TOK-4')), { accessToken: 3599, refreshToken: 172800 });
  });

  it('TOK-3: an API\'s own TTL can shorten the token, never lengthen it past the configured value or the cap', () => {
    const caps = capsFor(defaults, []);
    assert.equal(accessTokenTtl(defaults, caps), 600);
    assert.equal(accessTokenTtl(defaults, caps, 300), 300);
    assert.equal(accessTokenTtl(defaults, caps, 900), 600);
    const deviating = { ...defaults, accessToken: 7200 };
    assert.equal(accessTokenTtl(deviating, capsFor(deviating, []), 7200), 3599, 'without a deviation the cap holds');
    assert.equal(accessTokenTtl(deviating, capsFor(deviating, deviation('TOK-3')), 7200), 7200);
  });

  it('TOK-4: a refresh token lives the absolute lifetime from the chain\'s first issue; at the end, one second', () => {
    const caps = capsFor(defaults, []);
    const now = 1_800_000_000;
    assert.equal(refreshTokenTtl(defaults, caps, undefined, now), 28800, 'a new chain');
    assert.equal(refreshTokenTtl(defaults, caps, now - 800, now), 28000, 'a rotation 800 s in');
    assert.equal(refreshTokenTtl(defaults, caps, now - 28799, now), 1);
    assert.equal(refreshTokenTtl(defaults, caps, now - 28800, now), 1, 'never zero or negative (the library reads 0 as no expiry)');
    assert.equal(refreshTokenTtl(defaults, caps, now - 40000, now), 1);
    const long = { ...defaults, refreshToken: 172800 };
    assert.equal(refreshTokenTtl(long, capsFor(long, []), undefined, now), 86400, 'capped at 24 hours without a deviation');
  });
});
