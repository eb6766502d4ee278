// OIDC-3, OIDC-9: which identity scopes exist is read from the one claims-per-scope table
// (src/policy/scopes.ts): the library's scopes, the deployment file's, and SMART's identity
// and launch-context scopes once a FHIR server is configured. The library's `scopes`
// option and the FHIR server's /.well-known/smart-configuration both take this list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identityScopes } from '../../src/consent/scopes.js';
import { smartConfiguration } from '../../src/ops/smart.js';
import { scopeClaims } from '../../src/policy/scopes.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';
import { TEST_APIS, TEST_SCOPES } from '../helpers/fixtures.js';

const FHIR = 'http://127.0.0.1:3000/demo/fhir';
const plain = configFrom(testRawConfig('http://127.0.0.1:3000'));
const smart = configFrom(testRawConfig('http://127.0.0.1:3000', {
  resourceServers: [...TEST_APIS, { identifier: FHIR, name: 'FHIR', classification: 'IN-CONFIDENCE', fhir: { demo: true }, scopes: { 'patient/Observation.rs': 'Read your test results' } }],
}));

describe('identity scopes come from the one claims table (OIDC-3, OIDC-9)', () => {
  it('without a FHIR server: openid, offline_access and the file\'s scopes, in that order', () => {
    assert.deepEqual(identityScopes(plain), ['openid', 'offline_access', ...Object.keys(TEST_SCOPES)]);
  });

  it('OIDC-9: with a FHIR server, SMART\'s fhirUser and launch scopes join them', () => {
    assert.deepEqual(identityScopes(smart), ['openid', 'offline_access', ...Object.keys(TEST_SCOPES), 'fhirUser', 'launch', 'launch/patient', 'launch/encounter']);
  });

  it('every scope but the library\'s two is a row of the claims table, and every row is a scope', () => {
    for (const config of [plain, smart]) assert.deepEqual(identityScopes(config).slice(2), [...scopeClaims(config).keys()]);
  });

  it('OIDC-9: the FHIR server\'s smart-configuration offers the same identity scopes, then its own', () => {
    const offered = smartConfiguration(smart, ['private_key_jwt'], ['code']).scopes_supported as string[];
    assert.deepEqual(offered.slice(0, identityScopes(smart).length), identityScopes(smart));
    assert.ok(offered.includes('patient/Observation.rs'));
  });
});
