// AUTH-1 (src/policy/rules.ts): levels of assurance as pure decisions — what a sign-in
// reached, what a request needs, the start-up checks — and the factors' own rules
// (TOTP windows and replay, recovery codes single use).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { assuranceSettings } from '../../src/factors/settings.js';
import { hashRecoveryCode, newRecoveryCodes, useRecoveryCode } from '../../src/factors/recovery.js';
import { checkTotp, newTotpSecret } from '../../src/factors/totp.js';
import { acrReached, amrClaim, checkAssurance, minimumAcr, requiredLevel } from '../../src/policy/executors/assurance.js';

const settings = assuranceSettings.parse({});
const PWD = 'urn:health-idp:acr:password';
const MFA = 'urn:health-idp:acr:mfa';

describe('levels of assurance (AUTH-1)', () => {
  it('the level reached follows what was done, never more', () => {
    assert.equal(acrReached(settings, ['pwd']), PWD);
    assert.equal(acrReached(settings, ['pwd', 'otp']), MFA);
    assert.equal(acrReached(settings, ['pwd', 'hwk']), MFA);
    assert.equal(acrReached(settings, ['otp']), undefined, 'a code without the password reaches nothing');
    assert.deepEqual(amrClaim(['pwd', 'otp']), ['pwd', 'otp', 'mfa']);
    assert.deepEqual(amrClaim(['pwd', 'mfa']), ['pwd'], 'mfa is never taken as given');
  });

  it('AUTH-1: an identity source\'s sign-in (fed) is a first factor: alone the lowest level, with our second factor MFA', () => {
    assert.equal(acrReached(settings, ['fed']), PWD);
    assert.equal(acrReached(settings, ['fed', 'otp']), MFA);
    assert.deepEqual(amrClaim(['fed', 'hwk']), ['fed', 'hwk', 'mfa']);
    assert.deepEqual(amrClaim(['fed']), ['fed']);
    assert.deepEqual(amrClaim(['otp', 'hwk']), ['otp', 'hwk'], 'two second factors without a first are not mfa here');
  });

  it('a level whose factors exclude recovery codes is not reached with one', () => {
    const strict = assuranceSettings.parse({ levels: [{ acr: 'a', name: 'A' }, { acr: 'b', name: 'B', secondFactors: ['passkey'] }] });
    assert.equal(acrReached(strict, ['pwd', 'otp']), 'a');
    assert.equal(acrReached(strict, ['pwd', 'swk']), 'b');
  });

  it('minimum per classification: SENSITIVE gets the strongest level in production, the weakest in development', () => {
    assert.equal(minimumAcr(settings, 'SENSITIVE', true), MFA);
    assert.equal(minimumAcr(settings, 'SENSITIVE', false), PWD);
    assert.equal(minimumAcr(settings, 'IN-CONFIDENCE', true), PWD);
  });

  it('acr_values raise the requirement to the weakest named level offered; unknown values alone cannot be met', () => {
    assert.deepEqual(requiredLevel(settings, PWD, {}), { ok: true, rank: 0, acr: PWD });
    assert.deepEqual(requiredLevel(settings, PWD, { acrValues: `${MFA} urn:other` }), { ok: true, rank: 1, acr: MFA });
    assert.deepEqual(requiredLevel(settings, MFA, { acrValues: PWD }), { ok: true, rank: 1, acr: MFA }, 'never below the minimum');
    assert.equal(requiredLevel(settings, PWD, { acrValues: 'urn:unknown' }).ok, false);
  });

  it('start-up: a password-only SENSITIVE minimum in production needs an AUTH-1 deviation; unknown or repeated levels are refused', () => {
    const lowered = assuranceSettings.parse({ minimum: { SENSITIVE: PWD } });
    assert.deepEqual(checkAssurance(lowered, true, []).map((p) => p.rule), ['AUTH-1']);
    assert.deepEqual(checkAssurance(lowered, true, [{ rule: 'AUTH-1', setting: 'assurance.minimum.SENSITIVE', reason: 'a pilot on managed devices only' }]), []);
    assert.deepEqual(checkAssurance(lowered, false, []), []);
    const wrong = assuranceSettings.parse({ levels: [{ acr: 'a', name: 'A' }, { acr: 'a', name: 'B', secondFactors: ['otp'] }], minimum: { PUBLIC: 'z' } });
    assert.deepEqual(checkAssurance(wrong, false, []).map((p) => p.field).sort(), ['assurance.levels[1].acr', 'assurance.minimum.PUBLIC']);
  });
});

describe('one-time codes and recovery codes', () => {
  const secret = newTotpSecret();
  const now = Date.UTC(2026, 10, 30, 12, 0, 10);
  const code = (ms: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: ms });

  it('accepts the code of now and of one step either side; refuses the rest', () => {
    assert.equal(checkTotp(secret, code(now), 1, undefined, now).ok, true);
    assert.equal(checkTotp(secret, code(now - 30_000), 1, undefined, now).ok, true);
    assert.deepEqual(checkTotp(secret, code(now - 90_000), 1, undefined, now), { ok: false, reason: 'wrong' });
    assert.deepEqual(checkTotp(secret, 'abcdef', 1, undefined, now), { ok: false, reason: 'wrong' });
  });

  it('refuses a code of a step already used, or an earlier one (replay)', () => {
    const first = checkTotp(secret, code(now), 1, undefined, now);
    assert.ok(first.ok);
    assert.deepEqual(checkTotp(secret, code(now), 1, first.step, now), { ok: false, reason: 'replayed' });
    assert.deepEqual(checkTotp(secret, code(now - 30_000), 1, first.step, now), { ok: false, reason: 'replayed' });
    assert.equal(checkTotp(secret, code(now + 30_000), 1, first.step, now).ok, true);
  });

  it('recovery codes: random, kept as keyed hashes, each usable once, case and dashes ignored', () => {
    const key = Buffer.alloc(32, 7);
    const codes = newRecoveryCodes(10);
    assert.equal(new Set(codes).size, 10);
    const hashes = codes.map((c) => hashRecoveryCode(key, c));
    assert.ok(hashes.every((h, i) => !h.includes(codes[i] ?? '')));
    const left = useRecoveryCode(key, hashes, (codes[3] ?? '').toUpperCase().replace('-', ' '));
    assert.equal(left?.length, 9);
    assert.equal(useRecoveryCode(key, left ?? [], codes[3] ?? ''), undefined, 'used once only');
    assert.equal(useRecoveryCode(Buffer.alloc(32, 8), hashes, codes[0] ?? ''), undefined, 'another key does not match');
  });
});
