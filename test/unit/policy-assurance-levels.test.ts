// AUTH-1 (src/policy/executors/assurance.ts): the parts of the level decisions that
// policy-assurance.test.ts leaves open: the amr value of each second factor, an operator's
// own minimum per class, an essential acr before acr_values, the words a client and an
// operator read when a level cannot be met or the levels are wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assuranceSettings } from '../../src/factors/settings.js';
import { acrReached, amrOfFactor, checkAssurance, factorsFor, hasFirstFactor, minimumAcr, rankOf, requiredLevel } from '../../src/policy/executors/assurance.js';

const settings = assuranceSettings.parse({});
const PWD = 'urn:health-idp:acr:password';
const MFA = 'urn:health-idp:acr:mfa';
const three = assuranceSettings.parse({ levels: [{ acr: 'a', name: 'A' }, { acr: 'b', name: 'B', secondFactors: ['otp'] }, { acr: 'c', name: 'C', secondFactors: ['passkey'] }] });

describe('AUTH-1: amr values and first factors', () => {
  it('AUTH-1: a passkey synced across devices is swk, one bound to its device hwk; codes and recovery codes are otp (RFC 8176)', () => {
    assert.equal(amrOfFactor('passkey', true), 'swk');
    assert.equal(amrOfFactor('passkey', false), 'hwk');
    assert.equal(amrOfFactor('passkey'), 'hwk');
    assert.equal(amrOfFactor('otp'), 'otp');
    assert.equal(amrOfFactor('recovery'), 'otp');
  });

  it('AUTH-1: the password and an identity source are first factors; a second factor alone, or mfa, is not', () => {
    assert.equal(hasFirstFactor(['pwd']), true);
    assert.equal(hasFirstFactor(['fed']), true);
    assert.equal(hasFirstFactor(['otp', 'hwk', 'swk', 'mfa']), false);
    assert.equal(hasFirstFactor([]), false);
  });

  it('AUTH-1: the strongest level the methods reach is the one stated, and a factor a level does not list does not reach it', () => {
    assert.equal(acrReached(three, ['pwd', 'otp', 'hwk']), 'c');
    assert.equal(acrReached(three, ['pwd', 'otp']), 'b');
    assert.equal(acrReached(three, ['pwd', 'swk']), 'c');
    assert.equal(acrReached(three, ['fed', 'mfa']), 'a', 'an mfa value claimed without a factor reaches nothing more');
  });
});

describe('AUTH-1: what a request needs', () => {
  it('AUTH-1: a minimum the operator set for a class wins over the default, in production as in development', () => {
    const set = assuranceSettings.parse({ minimum: { 'IN-CONFIDENCE': MFA, SENSITIVE: PWD } });
    assert.equal(minimumAcr(set, 'IN-CONFIDENCE', false), MFA);
    assert.equal(minimumAcr(set, 'SENSITIVE', true), PWD);
    assert.equal(minimumAcr(set, 'PUBLIC', true), PWD);
    assert.equal(minimumAcr(three, 'SENSITIVE', true), 'c', 'the strongest of three');
    assert.equal(minimumAcr(three, undefined, true), 'a');
  });

  it('AUTH-1: rankOf finds a level by its acr; no acr or an unknown one is -1', () => {
    assert.equal(rankOf(three, 'c'), 2);
    assert.equal(rankOf(three, undefined), -1);
    assert.equal(rankOf(three, 'z'), -1);
  });

  it('AUTH-1: an essential acr in the claims parameter decides over acr_values', () => {
    assert.deepEqual(requiredLevel(three, 'a', { essential: ['b'], acrValues: 'c' }), { ok: true, rank: 1, acr: 'b' });
    assert.deepEqual(requiredLevel(three, 'a', { essential: [], acrValues: 'c' }), { ok: true, rank: 2, acr: 'c' });
    assert.deepEqual(requiredLevel(three, 'a', { acrValues: ' c  b ' }), { ok: true, rank: 1, acr: 'b' }, 'the weakest named, extra spaces ignored');
    assert.deepEqual(requiredLevel(three, 'z', {}), { ok: true, rank: 0, acr: 'a' }, 'an unknown minimum is the weakest level');
  });

  it('AUTH-1: values none of which is offered cannot be met, and the client is told which it asked for', () => {
    assert.deepEqual(requiredLevel(settings, PWD, { essential: ['urn:x', 'urn:y'] }), { ok: false, reason: 'none of the requested acr values (urn:x, urn:y) is offered here' });
  });

  it('AUTH-1: the factors that reach a level; none for the password level or past the last', () => {
    assert.deepEqual(factorsFor(settings, 1), ['otp', 'passkey', 'recovery']);
    assert.deepEqual(factorsFor(settings, 0), []);
    assert.deepEqual(factorsFor(settings, 5), []);
  });
});

describe('AUTH-1 at start-up: what the operator is told', () => {
  it('AUTH-1: a level listed twice and a minimum naming no level are refused at their fields, in words that say what is wrong', () => {
    const wrong = assuranceSettings.parse({ levels: [{ acr: 'a', name: 'A' }, { acr: 'a', name: 'B', secondFactors: ['otp'] }], minimum: { PUBLIC: 'z' } });
    assert.deepEqual(checkAssurance(wrong, false, []), [
      { field: 'assurance.levels[1].acr', message: '"a" is listed twice' },
      { field: 'assurance.minimum.PUBLIC', message: '"z" is not one of assurance.levels[].acr', rule: 'AUTH-1' },
    ]);
  });

  it('AUTH-1: a password-only SENSITIVE minimum in production is refused, saying a deviation must say why', () => {
    const lowered = assuranceSettings.parse({ minimum: { SENSITIVE: PWD } });
    assert.deepEqual(checkAssurance(lowered, true, [{ rule: 'TOK-3', setting: 'lifetimes.accessToken', reason: 'another rule' }]), [
      {
        field: 'assurance.minimum.SENSITIVE',
        message: 'SENSITIVE clients need a level with a second factor in production; a lower minimum needs a declared deviation (rule AUTH-1) saying why',
        rule: 'AUTH-1',
      },
    ]);
    assert.deepEqual(checkAssurance(settings, true, []), [], 'the default minimum, the strongest level, has a second factor');
  });
});
