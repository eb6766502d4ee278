// OIDC-9: the pure SMART decisions — scopes (v2, v1, granular) against a FHIR server's
// declarations, consent texts, launch requests and redemption, the context a token carries,
// and fhirUser only in back-channel ID tokens (OIDC-4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { checkLaunchRedemption, launchContextOf, needsPatientPick, parseLaunchRequest, type LaunchRecord } from '../../src/policy/smart-launch.js';
import { checkSmartScopes, coveredBy, describeSmartScope, parseSmartScope } from '../../src/policy/smart-scopes.js';
import { backChannelFhirUser } from '../../src/provider/accounts.js';

const declared = ['patient/Observation.rs', 'user/*.rs', 'system/Observation.rs', 'patient/Condition.rs?category=problem-list-item'];

describe('SMART scopes (OIDC-9)', () => {
  it('OIDC-9: parses v2, v1 and granular scopes; refuses malformed ones', () => {
    assert.equal(parseSmartScope('patient/Observation.rs')?.permissions, 'rs');
    assert.equal(parseSmartScope('patient/Observation.read')?.permissions, 'rs');
    assert.equal(parseSmartScope('patient/Observation.write')?.permissions, 'cud');
    assert.equal(parseSmartScope('user/*.*')?.permissions, 'cruds');
    assert.equal(parseSmartScope('patient/Observation.rs?category=laboratory')?.query.get('category'), 'laboratory');
    for (const bad of ['patient/Observation.sr', 'patient/observation.rs', 'patient/Observation.read?category=x', 'clinic/Observation.rs']) assert.equal(parseSmartScope(bad), undefined, bad);
  });

  it('OIDC-9: a declared scope covers narrower requests only', () => {
    assert.ok(coveredBy(declared, 'patient/Observation.r'));
    assert.ok(coveredBy(declared, 'patient/Observation.rs?category=laboratory'));
    assert.ok(coveredBy(declared, 'patient/Observation.read'));
    assert.ok(coveredBy(declared, 'user/Patient.rs'));
    assert.ok(!coveredBy(declared, 'patient/Observation.cruds'));
    assert.ok(!coveredBy(declared, 'patient/Observation.write'));
    assert.ok(!coveredBy(declared, 'patient/Patient.rs'));
    // A declared query narrows: the request must carry it.
    assert.ok(coveredBy(declared, 'patient/Condition.rs?category=problem-list-item'));
    assert.ok(!coveredBy(declared, 'patient/Condition.rs'));
  });

  it('OIDC-9, GR-6: the check refuses what the server does not allow and the wrong context, naming the scope', () => {
    assert.deepEqual(checkSmartScopes(['openid', 'patient/Observation.rs'], declared, 'https://fhir', 'person'), { granted: ['patient/Observation.rs'] });
    const write = checkSmartScopes(['patient/Observation.write'], declared, 'https://fhir', 'person');
    assert.equal(write.refusal?.error, 'invalid_scope');
    assert.match(write.refusal?.description ?? '', /does not allow patient\/Observation\.write; it allows patient\/Observation\.rs/);
    assert.match(checkSmartScopes(['system/Observation.rs'], declared, 'https://fhir', 'person').refusal?.description ?? '', /client_credentials/);
    assert.equal(checkSmartScopes(['system/Observation.rs'], declared, 'https://fhir', 'system').refusal, undefined);
    assert.match(checkSmartScopes(['patient/Obs.xyz'], declared, 'https://fhir', 'person').refusal?.description ?? '', /not a SMART scope/);
  });

  it('OIDC-6: consent texts in plain words', () => {
    assert.equal(describeSmartScope('patient/Observation.rs?category=laboratory'), 'Read your laboratory results');
    assert.equal(describeSmartScope('patient/MedicationRequest.read'), 'Read your prescriptions');
    assert.equal(describeSmartScope('user/Observation.cud'), 'Add to, change and delete the test results and measurements you have access to');
  });
});

describe('SMART launch (OIDC-9)', () => {
  it('OIDC-9: an EHR\'s launch request is checked field by field', () => {
    assert.deepEqual(parseLaunchRequest({ patient: 'p1', encounter: 'e1', need_patient_banner: 'true', fhirContext: '[{"reference":"Observation/1"}]' }), {
      context: { patient: 'p1', encounter: 'e1', need_patient_banner: true, fhirContext: [{ reference: 'Observation/1' }] },
      clientId: undefined,
    });
    for (const bad of [{}, { patient: 'a b' }, { patient: 'p1', smart_style_url: 'http://x' }, { patient: 'p1', fhirContext: '[1]' }, { patient: 'p1', need_patient_banner: 'yes' }]) {
      const r = parseLaunchRequest(bad);
      assert.ok('error' in r && r.error === 'invalid_request', JSON.stringify(bad));
    }
  });

  it('OIDC-9: a launch value is refused when unknown, expired, used or foreign', () => {
    const rec: LaunchRecord = { launcher: 'ehr', clientId: 'app', context: { patient: 'p1' }, exp: 1000 };
    assert.equal(checkLaunchRedemption(rec, 'app', 999), undefined);
    assert.match(checkLaunchRedemption(undefined, 'app', 999)?.description ?? '', /unknown/);
    assert.match(checkLaunchRedemption(rec, 'app', 1000)?.description ?? '', /expired/);
    assert.match(checkLaunchRedemption({ ...rec, consumed: 998 }, 'app', 999)?.description ?? '', /used already/);
    assert.match(checkLaunchRedemption(rec, 'other', 999)?.description ?? '', /another application/);
    assert.equal(checkLaunchRedemption({ ...rec, clientId: undefined }, 'other', 999), undefined);
  });

  it('OIDC-9: which context a token carries, and when a practitioner must pick', () => {
    const scopes = (s: string) => new Set(s.split(' '));
    assert.deepEqual(launchContextOf({ scopes: scopes('launch/patient'), fhirUser: 'Patient/p9' }), { patient: 'p9' });
    assert.equal(launchContextOf({ scopes: scopes('openid'), fhirUser: 'Patient/p9' }), undefined);
    assert.deepEqual(launchContextOf({ scopes: scopes('launch'), launched: { patient: 'p1', encounter: 'e1' } }), { patient: 'p1', encounter: 'e1' });
    // A launch context without the launch scope is not handed out.
    assert.equal(launchContextOf({ scopes: scopes('openid'), launched: { patient: 'p1' } }), undefined);
    assert.ok(needsPatientPick({ scopes: scopes('launch/patient'), fhirUser: 'Practitioner/x' }));
    assert.ok(!needsPatientPick({ scopes: scopes('launch/patient'), fhirUser: 'Practitioner/x', picked: 'p2' }));
    assert.ok(!needsPatientPick({ scopes: scopes('launch/patient'), fhirUser: 'Patient/p9' }));
    assert.deepEqual(launchContextOf({ scopes: scopes('launch/patient'), fhirUser: 'Practitioner/x', picked: 'p2' }), { patient: 'p2' });
  });

  it('OIDC-4: fhirUser only in ID tokens from /token, and only with the fhirUser scope', () => {
    const at = (route: string) => ({ oidc: { route } }) as unknown as KoaContextWithOIDC;
    assert.deepEqual(backChannelFhirUser(at('token'), 'openid fhirUser', 'Patient/p1'), { fhirUser: 'Patient/p1' });
    assert.deepEqual(backChannelFhirUser(at('authorization'), 'openid fhirUser', 'Patient/p1'), {});
    assert.deepEqual(backChannelFhirUser(at('resume'), 'openid fhirUser', 'Patient/p1'), {});
    assert.deepEqual(backChannelFhirUser(at('token'), 'openid', 'Patient/p1'), {});
  });
});
