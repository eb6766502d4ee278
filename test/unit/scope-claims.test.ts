// #13 item 3: one table of claims per scope. What the library releases for a scope
// (OIDC-3) and what the consent page and the ledger say it releases (OIDC-6, OIDC-8) are
// read from the same table, so they cannot drift apart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimsOf, describeScopes, splitScopes } from '../../src/consent/scopes.js';
import { claimsByScope, scopeClaims } from '../../src/policy/scopes.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

describe('claims per scope: one table for the library and the consent page', () => {
  const config = configFrom(testRawConfig('http://127.0.0.1:3000', {
    scopes: {
      profile: { description: 'Your name', claims: ['name', 'given_name'] },
      contact: { description: 'How to reach you', claims: ['email', 'phone_number', 'name'], optional: true },
      nothing: { description: 'Nothing personal', claims: [] },
    },
  }));

  it('OIDC-3: the library\'s mapping is the table, with openid releasing only the subject', () => {
    const library = claimsByScope(config);
    for (const [scope, claims] of scopeClaims(config)) assert.deepEqual(library[scope], [...claims], scope);
    assert.deepEqual(library, { openid: ['sub'], profile: ['name', 'given_name'], contact: ['email', 'phone_number', 'name'], nothing: [] });
  });

  it('OIDC-6: each consent line lists the claims the library would release for its scope', () => {
    const library = claimsByScope(config);
    const lines = describeScopes(config, ['openid', 'profile', 'contact', 'nothing'], {});
    for (const line of lines.filter((l) => l.scope !== 'openid')) assert.deepEqual(line.claims, library[line.scope], line.scope);
    assert.deepEqual(lines.find((l) => l.scope === 'openid')?.claims, [], 'the subject is not shown as a released claim');
  });

  it('OIDC-8: a consent record holds the union of the table\'s claims for the scopes asked, each once', () => {
    const access = splitScopes(config, ['openid', 'profile', 'contact', 'unknown'], []);
    assert.deepEqual(access.scopes, ['openid', 'profile', 'contact']);
    assert.deepEqual(access.claims, ['name', 'given_name', 'email', 'phone_number']);
  });

  it('a line\'s claims are its own copy: changing one cannot change what the library releases', () => {
    const [line] = describeScopes(config, ['profile'], {});
    line?.claims.push('nhi');
    assert.deepEqual(claimsByScope(config).profile, ['name', 'given_name']);
    assert.deepEqual(describeScopes(config, ['profile'], {})[0]?.claims, ['name', 'given_name']);
  });
});

describe('SMART\'s fhirUser in the one table (OIDC-9, OIDC-3)', () => {
  const fhir = { identifier: 'https://fhir.example.health/r4', classification: 'SENSITIVE' as const, scopes: { 'patient/Observation.rs': 'Your observations' }, fhir: {} };
  const withFhir = configFrom(testRawConfig('http://127.0.0.1:3000', { resourceServers: [fhir] }));
  const without = configFrom(testRawConfig('http://127.0.0.1:3000', { resourceServers: [] }));

  it('with a FHIR server the scope fhirUser releases the claim fhirUser and the launch scopes none; without one, none of them exist', () => {
    const table = scopeClaims(withFhir);
    assert.deepEqual(table.get('fhirUser'), ['fhirUser']);
    for (const scope of ['launch', 'launch/patient', 'launch/encounter']) assert.deepEqual(table.get(scope), [], scope);
    assert.deepEqual(claimsByScope(withFhir).fhirUser, ['fhirUser']);
    for (const scope of ['fhirUser', 'launch', 'launch/patient', 'launch/encounter']) {
      assert.equal(scopeClaims(without).has(scope), false, scope);
      assert.equal(Object.hasOwn(claimsByScope(without), scope), false, scope);
    }
  });

  it('OIDC-7, OIDC-8, OIDC-9: a SMART request asked again splits like the library\'s: fhirUser and launch scopes are identity scopes, a narrower SMART scope belongs to the FHIR server that covers it', () => {
    const requested = ['openid', 'fhirUser', 'launch/patient', 'patient/Observation.rs?category=laboratory', 'patient/Observation.r', 'patient/Condition.rs', 'unknown'];
    assert.deepEqual(splitScopes(withFhir, requested, [fhir.identifier]), {
      scopes: ['openid', 'fhirUser', 'launch/patient'],
      claims: ['fhirUser'],
      resources: { [fhir.identifier]: ['patient/Observation.rs?category=laboratory', 'patient/Observation.r'] },
    });
    // Without a FHIR server, SMART's names are no scopes of this deployment.
    assert.deepEqual(splitScopes(without, ['openid', 'fhirUser', 'launch'], []).scopes, ['openid']);
  });

  it('OIDC-6, OIDC-8: the consent line and the record of fhirUser list what the library releases', () => {
    const [line] = describeScopes(withFhir, ['fhirUser'], {});
    assert.deepEqual(line?.claims, claimsByScope(withFhir).fhirUser);
    assert.deepEqual(claimsOf(withFhir, ['openid', 'fhirUser', 'launch']), ['fhirUser']);
    assert.deepEqual(claimsOf(without, ['openid', 'fhirUser']), []);
  });
});
