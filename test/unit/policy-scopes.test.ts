// OIDC-6 at registration (src/policy/executors/scopes.ts): a client's registered scope is
// RFC 6749 scope tokens separated by single spaces, naming only scopes this deployment
// offers, read from `scope` and `api_scope` together; what the client is told otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { registeredScope, scopeProblem, scopes } from '../../src/policy/executors/scopes.js';
import type { ClientCheckContext, ClientFacts } from '../../src/policy/executors/types.js';
import { knownScopes, scopeClaims, scopesSupported, splitScope } from '../../src/policy/scopes.js';

const known = knownScopes({ profile: { description: 'Your name', claims: ['name'], optional: false } }, [{ scopes: { 'clinic.read': 'Read' } }]);
const MALFORMED = { field: 'scope', message: 'must be scope tokens separated by single spaces (RFC 6749 §3.3)', rule: 'OIDC-6' };

describe('OIDC-6: a registered scope (executors/scopes.ts)', () => {
  it('OIDC-6: identity and API scopes the deployment offers, single-spaced, pass', () => {
    assert.equal(scopeProblem('openid profile clinic.read offline_access', known), undefined);
  });

  it('OIDC-6: a leading, trailing or double space, or a character outside scope tokens, is malformed', () => {
    for (const scope of [' openid', 'openid ', 'openid  profile', 'openid "profile"', 'openid pro\\file']) assert.deepEqual(scopeProblem(scope, known), MALFORMED, JSON.stringify(scope));
  });

  it('OIDC-6: scopes the deployment does not offer are named', () => {
    assert.deepEqual(scopeProblem('openid nope clinic.write', known), { field: 'scope', message: 'lists scopes this deployment does not offer: nope clinic.write', rule: 'OIDC-6' });
  });

  it('OIDC-6: scope and api_scope are read together; an empty or non-string one is no registration', () => {
    assert.equal(registeredScope({ scope: 'openid', api_scope: 'clinic.read' }), 'openid clinic.read');
    assert.equal(registeredScope({ api_scope: 'clinic.read' }), 'clinic.read');
    assert.equal(registeredScope({ scope: '', api_scope: 'clinic.read' }), 'clinic.read');
    assert.equal(registeredScope({ scope: '' }), undefined);
    assert.equal(registeredScope({ scope: 7 }), undefined);
    assert.equal(registeredScope({}), undefined);
  });

  it('OIDC-6: the executor reports an unknown API scope registered in api_scope, once', () => {
    const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
    const client: ClientFacts = { classification: 'IN-CONFIDENCE', profile: profileFor('IN-CONFIDENCE', options), authMethod: 'client_secret_post', isPublic: false, responseTypes: ['code id_token'], grantTypes: ['authorization_code'], usesAuthorize: true };
    const ctx: ClientCheckContext = { options, development: false, signingAlgs: ['PS256'], mtls: { enabled: false, trustedCas: false }, scopes: known };
    assert.deepEqual(scopes.checkClient?.({ scope: 'openid', api_scope: 'clinic.admin' }, client, ctx), [{ field: 'scope', message: 'lists scopes this deployment does not offer: clinic.admin', rule: 'OIDC-6' }]);
    assert.deepEqual(scopes.checkClient?.({ scope: 'openid', api_scope: 'clinic.read' }, client, ctx), []);
    assert.deepEqual(scopes.checkClient?.({ scope: 'openid nope' }, client, { ...ctx, scopes: undefined }), [], 'without the deployment\'s scopes nothing is known to be missing');
  });
});

describe('OIDC-3, OIDC-6: the scope table (src/policy/scopes.ts)', () => {
  const identity = { profile: { description: 'Your name', claims: ['name'], optional: false } };

  it('OIDC-3: the claims table is built once per deployment, and apart for a deployment with a FHIR server', () => {
    const plain = { scopes: identity, resourceServers: [{}] };
    const smart = { scopes: identity, resourceServers: [{}, { fhir: { demo: false } }] };
    assert.equal(scopeClaims(plain), scopeClaims({ ...plain }));
    assert.equal(scopeClaims(smart), scopeClaims({ ...smart }));
    assert.notEqual(scopeClaims(plain), scopeClaims(smart));
    assert.deepEqual([...scopeClaims(plain).keys()], ['profile']);
    assert.deepEqual([...scopeClaims(smart).keys()], ['profile', 'fhirUser', 'launch', 'launch/patient', 'launch/encounter']);
  });

  it('OIDC-6: discovery lists every identity and API scope once', () => {
    const k = knownScopes(identity, [{ scopes: { 'clinic.read': 'Read', profile: 'an API scope named like an identity one' } }, { scopes: { 'clinic.read': 'Read' } }]);
    assert.deepEqual(scopesSupported(k), ['openid', 'offline_access', 'profile', 'clinic.read']);
  });

  it('OIDC-6: a registration\'s scope is split into identity, API and unknown; spaces between them are no scope', () => {
    assert.deepEqual(splitScope(' openid  clinic.read nope profile openid ', known), { identity: ['openid', 'profile'], api: ['clinic.read'], unknown: ['nope'] });
  });
});
