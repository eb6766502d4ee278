// OIDC-3 and AUTH-1 (src/policy/rules.ts): the claims parameter is open for `acr` only.
// Identity claims come from granted scopes, so a request naming any other claim, or any
// claim for /userinfo, is refused; an `acr` with values asks for a level like acr_values,
// and an essential one must be met (AUTH-1).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assuranceSettings } from '../../src/factors/settings.js';
import { acrRequestOf, requiredLevel } from '../../src/policy/executors/assurance.js';
import { claimsParameterRefusal } from '../../src/policy/executors/scopes.js';

const settings = assuranceSettings.parse({});
const PWD = 'urn:health-idp:acr:password';
const MFA = 'urn:health-idp:acr:mfa';

describe('the claims parameter: acr only (OIDC-3)', () => {
  it('OIDC-3: acr in the ID token is accepted, with or without values', () => {
    assert.equal(claimsParameterRefusal({ id_token: { acr: { essential: true, values: [MFA] } } }), undefined);
    assert.equal(claimsParameterRefusal({ id_token: { acr: null } }), undefined);
    assert.equal(claimsParameterRefusal({ id_token: {} }), undefined);
  });

  it('OIDC-3: any identity claim is refused with invalid_request, naming the claims and the rule', () => {
    const refusal = claimsParameterRefusal({ id_token: { acr: null, email: { essential: true }, nhi: null } });
    assert.equal(refusal?.error, 'invalid_request');
    assert.match(refusal?.description ?? '', /id_token\.email, id_token\.nhi/);
    assert.match(refusal?.description ?? '', /OIDC-3/);
    assert.match(refusal?.description ?? '', /scope/, 'says where identity claims come from');
  });

  it('OIDC-3: a protocol claim other than acr is refused too (the brief opens acr alone)', () => {
    assert.match(claimsParameterRefusal({ id_token: { auth_time: { essential: true } } })?.description ?? '', /id_token\.auth_time/);
  });

  it('OIDC-3: nothing may be asked of /userinfo, not even acr (acr is an ID token claim)', () => {
    assert.match(claimsParameterRefusal({ userinfo: { name: null } })?.description ?? '', /userinfo\.name/);
    assert.match(claimsParameterRefusal({ userinfo: { acr: { essential: true, values: [MFA] } } })?.description ?? '', /userinfo\.acr/);
    assert.equal(claimsParameterRefusal({ userinfo: {}, id_token: { acr: null } }), undefined, 'an empty userinfo asks for nothing');
  });
});

describe('an acr in the claims parameter asks for a level (AUTH-1)', () => {
  it('AUTH-1: reads essential value/values and voluntary values from the raw parameter', () => {
    assert.deepEqual(acrRequestOf(JSON.stringify({ id_token: { acr: { essential: true, values: [MFA, PWD] } } })), { essential: [MFA, PWD] });
    assert.deepEqual(acrRequestOf(JSON.stringify({ id_token: { acr: { essential: true, value: MFA } } })), { essential: [MFA] });
    assert.deepEqual(acrRequestOf(JSON.stringify({ id_token: { acr: { values: [MFA] } } })), { voluntary: [MFA] });
    assert.deepEqual(acrRequestOf(JSON.stringify({ id_token: { acr: { essential: true } } })), {}, 'essential without values: any level');
    assert.deepEqual(acrRequestOf(undefined), {});
    assert.deepEqual(acrRequestOf('not json'), {}, 'the library refuses it before; nothing read here');
  });

  it('AUTH-1: an essential acr raises the requirement like acr_values; an unknown level alone cannot be met', () => {
    assert.deepEqual(requiredLevel(settings, PWD, { essential: [MFA] }), { ok: true, rank: 1, acr: MFA });
    assert.deepEqual(requiredLevel(settings, MFA, { essential: [PWD] }), { ok: true, rank: 1, acr: MFA }, 'never below the client\'s minimum');
    assert.equal(requiredLevel(settings, PWD, { essential: ['urn:example:acr:unknown'] }).ok, false);
    assert.deepEqual(requiredLevel(settings, PWD, { acrValues: PWD, essential: [MFA] }), { ok: true, rank: 1, acr: MFA }, 'the essential request wins over acr_values');
  });
});
