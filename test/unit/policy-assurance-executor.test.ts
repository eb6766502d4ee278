// AUTH-1 (src/policy/executors/assurance.ts): the executor's own start-up check as
// deployment.ts runs it, the recovery code as a one-time password, and the edges of what a
// request asks (a claims parameter given as an object, a null or mixed acr, an empty
// acr_values) — each a case a client or an operator can actually produce.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { assuranceSettings } from '../../src/factors/settings.js';
import { acrReached, acrRequestOf, assuranceLevels, checkAssurance, requiredLevel } from '../../src/policy/executors/assurance.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const PWD = 'urn:health-idp:acr:password';
const base = configFrom(testRawConfig('http://localhost:3000'));
const passwordOnlySensitive = assuranceSettings.parse({ minimum: { SENSITIVE: PWD } });
const withMode = (mode: Config['mode']): Config => ({ ...base, mode, assurance: passwordOnlySensitive, deviations: [] });

describe('AUTH-1: the assurance executor', () => {
  it('AUTH-1: start-up refuses a password-only SENSITIVE minimum in production through the executor, and not in development', () => {
    assert.deepEqual((assuranceLevels.checkDeployment?.(withMode('production')) ?? []).map((p) => [p.field, p.rule]), [['assurance.minimum.SENSITIVE', 'AUTH-1']]);
    assert.deepEqual(assuranceLevels.checkDeployment?.(withMode('development')), []);
  });

  it('AUTH-1: a level that accepts recovery codes is reached by a sign-in with one (amr otp)', () => {
    const recovery = assuranceSettings.parse({ levels: [{ acr: 'a', name: 'A' }, { acr: 'r', name: 'R', secondFactors: ['recovery'] }] });
    assert.equal(acrReached(recovery, ['pwd', 'otp']), 'r');
    assert.equal(acrReached(recovery, ['pwd', 'hwk']), 'a', 'a passkey is not a recovery code');
  });

  it('AUTH-1: a minimum naming no level is one problem, not also the password-only one; a class without a minimum is none', () => {
    assert.deepEqual(checkAssurance(assuranceSettings.parse({ minimum: { SENSITIVE: 'nope' } }), true, []).map((p) => p.field), ['assurance.minimum.SENSITIVE']);
    assert.deepEqual(checkAssurance({ ...assuranceSettings.parse({}), minimum: { PUBLIC: undefined } }, false, []), []);
  });
});

describe('AUTH-1: what a claims parameter and acr_values ask', () => {
  it('AUTH-1: a claims parameter already parsed (an object) is read like its JSON', () => {
    assert.deepEqual(acrRequestOf({ id_token: { acr: { essential: true, values: ['x'] } } }), { essential: ['x'] });
  });

  it('AUTH-1: claims without id_token, a null acr, and non-string values ask nothing, without an error', () => {
    assert.deepEqual(acrRequestOf('{}'), {});
    assert.deepEqual(acrRequestOf('{"id_token":{"acr":null}}'), {});
    assert.deepEqual(acrRequestOf({ id_token: { acr: { essential: true, values: ['x', 7, null] } } }), { essential: ['x'] });
  });

  it('AUTH-1: an empty acr_values asks nothing (the client\'s minimum applies) rather than an unmeetable level', () => {
    const settings = assuranceSettings.parse({});
    assert.deepEqual(requiredLevel(settings, PWD, { acrValues: '' }), { ok: true, rank: 0, acr: PWD });
  });
});
