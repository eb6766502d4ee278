// OIDC-9, OIDC-6: SMART scopes read exactly (src/policy/smart-scopes.ts): the shape of a
// resource scope, v1 and v2 permissions, what a declared scope covers, every refusal an app
// developer reads, and the plain words a person reads on the consent page for each.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSmartScopes, coveredBy, describeSmartScope, looksSmart, parseSmartScope, scopeOfServer, SMART_CONTEXT_SCOPES, SMART_CONTEXT_TEXT } from '../../src/policy/smart-scopes.js';

describe('reading a SMART scope (OIDC-9)', () => {
  it('OIDC-9: only context/… at the start marks a scope as SMART-shaped', () => {
    for (const s of ['patient/x', 'user/Observation.rs', 'system/*.*']) assert.ok(looksSmart(s), s);
    for (const s of ['openid', 'my-patient/Observation.rs', 'launch/patient', 'Patient/Observation.rs']) assert.ok(!looksSmart(s), s);
  });

  it('OIDC-9: a parsed scope keeps its context, type, v2 permissions, query and version', () => {
    const v2 = parseSmartScope('user/Observation.rs?category=laboratory&code=x');
    assert.deepEqual({ ...v2, query: v2?.query.toString() }, { raw: 'user/Observation.rs?category=laboratory&code=x', context: 'user', type: 'Observation', permissions: 'rs', query: 'category=laboratory&code=x', version: 2 });
    const v1 = parseSmartScope('system/*.*');
    assert.deepEqual({ ...v1, query: v1?.query.toString() }, { raw: 'system/*.*', context: 'system', type: '*', permissions: 'cruds', query: '', version: 1 });
    assert.equal(parseSmartScope('patient/Observation.c')?.version, 2);
  });

  it('OIDC-9: a resource type is a capitalised FHIR name of 2 to 64 letters; permissions are cruds in order', () => {
    assert.ok(parseSmartScope(`patient/A${'b'.repeat(63)}.rs`));
    for (const bad of ['patient/O.rs', `patient/A${'b'.repeat(64)}.rs`, 'patient/Obs1.rs', 'patient/Observation.rc', 'patient/Observation.rr', 'patient/Observation.x', 'patient/Observation.', 'patient/Observation.rs?', 'xpatient/Observation.rs', 'patient/Observation.rs ', 'patient/Observation.readx']) {
      assert.equal(parseSmartScope(bad), undefined, bad);
    }
  });
});

describe('what a FHIR server allows (OIDC-9)', () => {
  it('OIDC-9: a declared scope covers the same context, its type (or any under *), no more permissions and at least its query', () => {
    assert.ok(coveredBy(['patient/*.rs'], 'patient/Condition.r'));
    assert.ok(!coveredBy(['user/*.rs'], 'patient/Condition.r'));
    assert.ok(!coveredBy(['patient/Observation.rs'], 'patient/Condition.r'));
    assert.ok(coveredBy(['patient/Observation.rs?category=laboratory&code=x'], 'patient/Observation.r?code=x&category=laboratory&status=final'));
    assert.ok(!coveredBy(['patient/Observation.rs?category=laboratory&code=x'], 'patient/Observation.r?category=laboratory'));
    assert.ok(!coveredBy(['patient/Observation.rs?category=laboratory'], 'patient/Observation.r?category=imaging'));
    assert.ok(!coveredBy(['patient/Observation.rs', 'not a scope'], 'patient/Observation.sr'));
    assert.ok(!coveredBy(['not a scope'], 'patient/Observation.r'));
  });

  it('OIDC-9: a server\'s own scope is its scope as declared, SMART or not', () => {
    assert.ok(scopeOfServer(['records.read'], 'records.read'));
    assert.ok(scopeOfServer(['patient/*.rs'], 'patient/Observation.rs'));
    assert.ok(!scopeOfServer(['records.read'], 'records.write'));
  });

  it('OIDC-9: the check grants in order, skips identity scopes and stops at the first refusal with what it granted so far', () => {
    const declared = ['patient/Observation.rs', 'patient/Condition.rs', 'user/Patient.rs'];
    assert.deepEqual(checkSmartScopes(['openid', 'patient/Condition.r', 'launch/patient', 'patient/Observation.rs'], declared, 'https://fhir', 'person'), { granted: ['patient/Condition.r', 'patient/Observation.rs'] });
    assert.deepEqual(checkSmartScopes(['patient/Condition.r', 'patient/Observation.cud'], declared, 'https://fhir', 'person'), {
      granted: ['patient/Condition.r'],
      refusal: { error: 'invalid_scope', description: 'https://fhir does not allow patient/Observation.cud; it allows patient/Observation.rs patient/Condition.rs (OIDC-9)' },
    });
    // A FHIR server may declare other scopes beside its SMART ones: they are not offered as SMART alternatives.
    assert.deepEqual(checkSmartScopes(['patient/Observation.cud'], ['records.read', 'patient/Observation.rs'], 'https://fhir', 'person').refusal?.description, 'https://fhir does not allow patient/Observation.cud; it allows patient/Observation.rs (OIDC-9)');
    // Nothing in that context: the message says no more than it must.
    assert.deepEqual(checkSmartScopes(['system/Observation.rs'], declared, 'https://fhir', 'system'), {
      granted: [],
      refusal: { error: 'invalid_scope', description: 'https://fhir does not allow system/Observation.rs (OIDC-9)' },
    });
  });

  it('OIDC-9, GR-6: a malformed scope, and a system/ scope through a person\'s sign-in, are refused by name', () => {
    assert.deepEqual(checkSmartScopes(['patient/Obs.xyz'], [], 'https://fhir', 'person'), {
      granted: [],
      refusal: { error: 'invalid_scope', description: 'patient/Obs.xyz is not a SMART scope (context/Type.cruds, or v1 .read/.write) (OIDC-9)' },
    });
    assert.deepEqual(checkSmartScopes(['system/Observation.rs'], ['system/Observation.rs'], 'https://fhir', 'person'), {
      granted: [],
      refusal: { error: 'invalid_scope', description: 'system/Observation.rs is a backend-services scope: ask for it with client_credentials, not through a person\'s sign-in (OIDC-9, GR-6)' },
    });
  });
});

describe('consent texts (OIDC-6, OIDC-7)', () => {
  it('OIDC-6: each common FHIR type reads as plain words, never its FHIR name', () => {
    const words: Record<string, string> = {
      '*': 'health records',
      Observation: 'test results and measurements',
      Condition: 'health conditions',
      MedicationRequest: 'prescriptions',
      MedicationStatement: 'medicines',
      AllergyIntolerance: 'allergies',
      Immunization: 'immunisations',
      Procedure: 'procedures',
      Encounter: 'visits',
      Patient: 'patient details',
      Practitioner: 'health professionals\' details',
      DiagnosticReport: 'test reports',
      DocumentReference: 'documents',
      Appointment: 'appointments',
      CarePlan: 'care plans',
    };
    for (const [type, noun] of Object.entries(words)) assert.equal(describeSmartScope(`patient/${type}.rs`), `Read your ${noun}`, type);
    // A type with no plain words yet is named, so the person still sees what it is.
    assert.equal(describeSmartScope('patient/Specimen.rs'), 'Read your Specimen records');
  });

  it('OIDC-6: a granular category reads as plain words; an unknown one is named after the type\'s words', () => {
    const words: Record<string, string> = {
      laboratory: 'laboratory results',
      'vital-signs': 'vital signs (such as blood pressure and heart rate)',
      'social-history': 'social history',
      imaging: 'imaging results',
      survey: 'survey answers',
      'problem-list-item': 'problem list',
      'encounter-diagnosis': 'visit diagnoses',
    };
    for (const [code, text] of Object.entries(words)) assert.equal(describeSmartScope(`patient/Observation.rs?category=${code}`), `Read your ${text}`, code);
    assert.equal(describeSmartScope('patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory'), 'Read your laboratory results');
    assert.equal(describeSmartScope('patient/Observation.rs?category=exam'), 'Read your test results and measurements (exam)');
    assert.equal(describeSmartScope('patient/Observation.rs?category=http://example.org/cs|exam'), 'Read your test results and measurements (exam)');
  });

  it('OIDC-6: the verbs say what the permissions allow, and whose records, in one sentence', () => {
    assert.equal(describeSmartScope('patient/Condition.s'), 'Read your health conditions');
    assert.equal(describeSmartScope('patient/Condition.c'), 'Add to your health conditions');
    assert.equal(describeSmartScope('patient/Condition.u'), 'Change your health conditions');
    assert.equal(describeSmartScope('patient/Condition.d'), 'Delete your health conditions');
    assert.equal(describeSmartScope('patient/Condition.cr'), 'Read and add to your health conditions');
    assert.equal(describeSmartScope('system/Condition.cruds'), 'Read, add to, change and delete all health conditions');
    assert.equal(describeSmartScope('user/Condition.rs'), 'Read the health conditions you have access to');
    assert.equal(describeSmartScope('patient/Condition.xyz'), undefined);
  });

  it('OIDC-6: every SMART context scope has its own consent text', () => {
    const texts = SMART_CONTEXT_SCOPES.map((s) => SMART_CONTEXT_TEXT[s]);
    for (const t of texts) assert.match(t, /^[A-Z]\w+ .{20,}/);
    assert.equal(new Set(texts).size, SMART_CONTEXT_SCOPES.length);
    assert.deepEqual([...SMART_CONTEXT_SCOPES], ['fhirUser', 'launch', 'launch/patient', 'launch/encounter']);
  });
});
