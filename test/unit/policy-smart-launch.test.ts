// OIDC-9: SMART launch context, field by field (src/policy/smart-launch.ts): what a fhirUser
// reference is, every refusal of an EHR's launch request with the words an EHR developer
// reads, when a launch value is redeemable, and exactly which context a token carries.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLaunchRedemption, contextFields, isFhirUser, launchContextOf, needsPatientPick, parseLaunchRequest, patientOfFhirUser, type LaunchRecord } from '../../src/policy/smart-launch.js';

const refusal = (description: string) => ({ error: 'invalid_request', description: `${description} (OIDC-9)` });
const scopes = (s: string) => new Set(s.split(' '));

describe('fhirUser references (OIDC-9)', () => {
  it('OIDC-9: a fhirUser is a relative reference Type/id to a person resource, nothing around it', () => {
    for (const ok of ['Patient/p-1', 'Practitioner/pr.2', 'PractitionerRole/r1', 'RelatedPerson/x', 'Person/y', `Patient/${'a'.repeat(64)}`]) assert.ok(isFhirUser(ok), ok);
    for (const bad of ['patient/p1', 'Observation/1', 'Patient/', `Patient/${'a'.repeat(65)}`, 'Patient/a b', 'https://fhir.example/Patient/1', 'Patient/1/_history/2', ' Patient/1', 42, undefined, ['Patient/1']]) {
      assert.ok(!isFhirUser(bad), String(bad));
    }
  });

  it('OIDC-9: only a Patient reference names the person\'s own patient record', () => {
    assert.equal(patientOfFhirUser('Patient/p-1'), 'p-1');
    assert.equal(patientOfFhirUser('Practitioner/p-1'), undefined);
    assert.equal(patientOfFhirUser('Patient/a b'), undefined);
    assert.equal(patientOfFhirUser(['Patient/p-1']), undefined);
  });
});

describe('an EHR\'s launch request (OIDC-9)', () => {
  it('OIDC-9: the patient id is required and must be a FHIR id (letters, digits, - and ., up to 64)', () => {
    const needs = refusal('patient is required: the FHIR Patient id the app opens');
    for (const patient of [undefined, '', 'a b', 'a/b', 'a'.repeat(65), 7]) assert.deepEqual(parseLaunchRequest({ patient }), needs, String(patient));
    assert.deepEqual(parseLaunchRequest({ patient: `A-z.9${'a'.repeat(59)}` }), { context: { patient: `A-z.9${'a'.repeat(59)}` }, clientId: undefined });
  });

  it('OIDC-9: the optional fields are checked, each with its own message', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ encounter: 'e 1' }, 'encounter must be a FHIR Encounter id'],
      [{ encounter: 5 }, 'encounter must be a FHIR Encounter id'],
      [{ client_id: '' }, 'client_id must name the app the launch is for'],
      [{ client_id: ['app'] }, 'client_id must name the app the launch is for'],
      [{ need_patient_banner: 'yes' }, 'need_patient_banner must be true or false'],
      [{ need_patient_banner: 1 }, 'need_patient_banner must be true or false'],
      [{ smart_style_url: 'http://ehr.example/style.json' }, 'smart_style_url must be an https URL'],
      [{ smart_style_url: 'see https://ehr.example' }, 'smart_style_url must be an https URL'],
      [{ smart_style_url: true }, 'smart_style_url must be an https URL'],
      // A field posted twice arrives as a list: never read as its text.
      [{ smart_style_url: ['https://ehr.example/style.json'] }, 'smart_style_url must be an https URL'],
    ];
    for (const [fields, message] of cases) assert.deepEqual(parseLaunchRequest({ patient: 'p1', ...fields }), refusal(message), JSON.stringify(fields));
  });

  it('OIDC-9: fhirContext is a JSON array (posted as a string or as JSON) of at most 20 objects with reference or canonical', () => {
    const bad = refusal('fhirContext must be a JSON array of objects with reference or canonical');
    for (const fhirContext of ['not json', '{"reference":"Observation/1"}', '[1]', '[null]', '[{"display":"x"}]', '[{"reference":1}]', '[{"reference":"Observation/1"},{"display":"x"}]', { reference: 'Observation/1' }, JSON.stringify(Array(21).fill({ reference: 'Observation/1' }))]) {
      assert.deepEqual(parseLaunchRequest({ patient: 'p1', fhirContext }), bad, JSON.stringify(fhirContext));
    }
    const twenty = Array(20).fill({ canonical: 'https://forms.example/q|1' });
    assert.deepEqual(parseLaunchRequest({ patient: 'p1', fhirContext: twenty }), { context: { patient: 'p1', fhirContext: twenty }, clientId: undefined });
    assert.deepEqual(parseLaunchRequest({ patient: 'p1', fhirContext: '[{"reference":"Observation/1"}]' }), { context: { patient: 'p1', fhirContext: [{ reference: 'Observation/1' }] }, clientId: undefined });
  });

  it('OIDC-9: the context holds exactly what the EHR sent, the banner flag as a boolean either way', () => {
    assert.deepEqual(parseLaunchRequest({ patient: 'p1', encounter: 'e1', client_id: 'app', need_patient_banner: 'false', smart_style_url: 'https://ehr.example/style.json' }), {
      context: { patient: 'p1', encounter: 'e1', need_patient_banner: false, smart_style_url: 'https://ehr.example/style.json' },
      clientId: 'app',
    });
    assert.deepEqual(parseLaunchRequest({ patient: 'p1', need_patient_banner: false }), { context: { patient: 'p1', need_patient_banner: false }, clientId: undefined });
    assert.deepEqual(parseLaunchRequest({ patient: 'p1', need_patient_banner: true }), { context: { patient: 'p1', need_patient_banner: true }, clientId: undefined });
    assert.deepEqual(Object.keys((parseLaunchRequest({ patient: 'p1' }) as { context: object }).context), ['patient']);
  });
});

describe('redeeming a launch value (OIDC-9)', () => {
  const rec: LaunchRecord = { launcher: 'ehr', clientId: 'app', context: { patient: 'p1' }, exp: 1000 };
  it('OIDC-9: unknown, expired (at its exp), used or foreign launch values are refused, each saying what to do', () => {
    assert.deepEqual(checkLaunchRedemption(undefined, 'app', 999), refusal('the launch value is unknown or has expired; launch the app again from the EHR'));
    assert.deepEqual(checkLaunchRedemption(rec, 'app', 1000), refusal('the launch value has expired; launch the app again from the EHR'));
    assert.equal(checkLaunchRedemption(rec, 'app', 999), undefined);
    assert.deepEqual(checkLaunchRedemption({ ...rec, consumed: 998 }, 'app', 999), refusal('the launch value has been used already; launch the app again from the EHR'));
    assert.deepEqual(checkLaunchRedemption(rec, 'other', 999), refusal('the launch value was issued for another application'));
  });
});

describe('the context a token carries (OIDC-9)', () => {
  it('OIDC-9: an EHR launch hands on its whole context with the launch scope, and leaves out what the EHR did not send', () => {
    const launched = { patient: 'p1', encounter: 'e1', need_patient_banner: true, fhirContext: [{ reference: 'Observation/1' }] };
    assert.deepEqual(launchContextOf({ scopes: scopes('launch'), launched }), launched);
    assert.deepEqual(launchContextOf({ scopes: scopes('launch'), launched: { smart_style_url: 'https://ehr.example/s.json' } }), { smart_style_url: 'https://ehr.example/s.json' });
    assert.ok(!('encounter' in (launchContextOf({ scopes: scopes('launch'), launched: { patient: 'p1', encounter: '' } }) ?? {})));
  });

  it('OIDC-9: standalone launch/patient gives the person\'s own record or the picked one, else nothing', () => {
    assert.deepEqual(launchContextOf({ scopes: scopes('launch/patient'), fhirUser: 'Patient/p9', picked: 'p2' }), { patient: 'p9' });
    assert.equal(launchContextOf({ scopes: scopes('launch/patient'), fhirUser: 'Practitioner/x' }), undefined);
    // An EHR launch without the launch scope does not leak into a standalone one.
    assert.deepEqual(launchContextOf({ scopes: scopes('launch/patient'), launched: { patient: 'p1' }, picked: 'p2' }), { patient: 'p2' });
  });

  it('OIDC-9: a practitioner must pick a patient only for launch/patient with no patient from the EHR, their own record or a pick', () => {
    assert.ok(needsPatientPick({ scopes: scopes('launch/patient') }));
    assert.ok(!needsPatientPick({ scopes: scopes('openid'), fhirUser: 'Practitioner/x' }));
    assert.ok(!needsPatientPick({ scopes: scopes('launch/patient'), launched: { patient: 'p1' } }));
  });

  it('OIDC-9: the token response carries the context\'s fields that have a value', () => {
    assert.deepEqual(contextFields(undefined), {});
    assert.deepEqual(contextFields({ patient: 'p1', encounter: undefined, need_patient_banner: false }), { patient: 'p1', need_patient_banner: false });
  });
});
