// TOK-3, TOK-4, EP-8 (src/policy/executors/lifetimes.ts): a deviation raises a lifetime cap
// to its ceiling and no further; the ceiling itself is allowed, one second past it is not,
// and the start-up message names the ceiling and the value. The PAR cap's message names RFC 9126.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLifetimes, DEVIATION_CEILINGS, PUSHED_REQUEST_CAP, type Lifetimes } from '../../src/policy/executors/lifetimes.js';

const defaults: Lifetimes = { authorizationCode: 60, accessToken: 600, refreshToken: 28800, idToken: 600, interaction: 600, session: 28800, grant: 7776000, pushedAuthorizationRequest: 60 };
const deviations = [
  { rule: 'TOK-3', setting: 'lifetimes.accessToken', reason: 'a documented business need' },
  { rule: 'TOK-4', setting: 'lifetimes.refreshToken', reason: 'a documented business need' },
];

describe('lifetime ceilings under a deviation', () => {
  it('TOK-3: with a deviation, an access token of exactly the ceiling (24 hours) is allowed; one second more is refused', () => {
    assert.equal(DEVIATION_CEILINGS.accessToken, 86400);
    assert.deepEqual(checkLifetimes({ ...defaults, accessToken: 86400 }, deviations), []);
    assert.deepEqual(checkLifetimes({ ...defaults, accessToken: 86401 }, deviations), [
      { field: 'lifetimes.accessToken', message: 'must be at most 86400 seconds even with a TOK-3 deviation (is 86401)', rule: 'TOK-3' },
    ]);
  });

  it('TOK-4: with a deviation, a refresh token of exactly the ceiling (30 days) is allowed; one second more is refused', () => {
    assert.equal(DEVIATION_CEILINGS.refreshToken, 2592000);
    assert.deepEqual(checkLifetimes({ ...defaults, refreshToken: 2592000 }, deviations), []);
    assert.deepEqual(checkLifetimes({ ...defaults, refreshToken: 2592001 }, deviations), [
      { field: 'lifetimes.refreshToken', message: 'must be at most 2592000 seconds even with a TOK-4 deviation (is 2592001)', rule: 'TOK-4' },
    ]);
  });

  it('EP-8: a pushed request lives at most ten minutes; the refusal names the cap and RFC 9126', () => {
    assert.deepEqual(checkLifetimes({ ...defaults, pushedAuthorizationRequest: PUSHED_REQUEST_CAP }, []), []);
    assert.deepEqual(checkLifetimes({ ...defaults, pushedAuthorizationRequest: 601 }, []), [
      { field: 'lifetimes.pushedAuthorizationRequest', message: 'must be at most 600 seconds (RFC 9126)', rule: 'EP-8' },
    ]);
  });
});
