// The pure decisions behind the boundaries between clients: who may introspect (TOK-6,
// EP-5), what a token lets a client register as (GR-2, EP-10), and which scopes need a
// person (GR-6).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CLASSIFICATIONS, rank } from '../../src/policy/classification.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { mayIntrospect } from '../../src/policy/executors/introspection.js';
import { checkClientCredentialsScopes, needsPerson, personScopeContext } from '../../src/policy/executors/client-credentials.js';
import { allowanceOf, allowancePolicies, checkAllowance, checkNoRaise, registrationDefaults } from '../../src/policy/registration.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const options = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };

describe('GR-2, EP-10: registration allowances', () => {
  it('GR-2, EP-10: an accepted registration is never above its token\'s ceiling, and an update never raises', () => {
    const cls = fc.constantFrom(...CLASSIFICATIONS);
    fc.assert(
      fc.property(cls, cls, cls, (ceiling, requested, current) => {
        const allowance = allowanceOf(allowancePolicies({ maxClassification: ceiling }));
        if (!checkAllowance({ classification: requested }, allowance)) assert.ok(rank(requested) <= rank(ceiling));
        if (!checkNoRaise(current, requested)) assert.ok(rank(requested) <= rank(current));
      }),
    );
  });

  it('EP-10: the allowance survives the trip through policy names', () => {
    assert.deepEqual(allowanceOf(allowancePolicies({ maxClassification: 'IN-CONFIDENCE', scopes: ['openid', 'profile'] })), { maxClassification: 'IN-CONFIDENCE', scopes: ['openid', 'profile'] });
    assert.equal(allowanceOf(['single-use']), undefined, 'no ceiling: no allowance');
    assert.equal(checkAllowance({ classification: 'PUBLIC' }, undefined)?.rule, 'EP-10');
  });

  it('GR-8, EP-2: SENSITIVE defaults: PAR and a binding that fits the authentication', () => {
    const dpop = registrationDefaults({ classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt' }, undefined, options);
    assert.equal(dpop.require_pushed_authorization_requests, true);
    assert.equal(dpop.dpop_bound_access_tokens, true);
    const mtls = registrationDefaults({ classification: 'SENSITIVE', token_endpoint_auth_method: 'tls_client_auth' }, undefined, options);
    assert.equal(mtls.tls_client_certificate_bound_access_tokens, true);
    assert.equal(mtls.dpop_bound_access_tokens, undefined);
    const explicit = registrationDefaults({ classification: 'SENSITIVE', dpop_bound_access_tokens: false }, undefined, options);
    assert.equal(explicit.dpop_bound_access_tokens, false, 'an explicit false is left for the profile check to refuse');
    assert.equal(registrationDefaults({ classification: 'PUBLIC' }, undefined, options).dpop_bound_access_tokens, undefined);
  });
});

describe('GR-6: person scopes', () => {
  const config = configFrom(
    testRawConfig('http://127.0.0.1:1', {
      resourceServers: [{ identifier: 'https://api.test/b', classification: 'PUBLIC', scopes: { 'b.sync': 'Sync', 'b.mine': { description: 'Yours', actsForPerson: true } } }],
    }),
  );
  const ctx = personScopeContext(Object.keys(config.scopes), config.resourceServers);

  it('GR-6: the object form keeps the description and marks the scope', () => {
    assert.deepEqual(config.resourceServers[0]?.scopes, { 'b.sync': 'Sync', 'b.mine': 'Yours' });
    assert.deepEqual(config.resourceServers[0]?.personScopes, ['b.mine']);
  });

  it('GR-6: identity, SMART patient/user and marked scopes need a person; system/ and others do not', () => {
    for (const s of ['openid', 'offline_access', 'profile', 'nhi', 'fhirUser', 'launch', 'launch/patient', 'patient/Observation.rs', 'user/*.cruds', 'b.mine']) assert.ok(needsPerson(s, ctx), s);
    for (const s of ['system/Observation.rs', 'b.sync', 'clinic.read']) assert.ok(!needsPerson(s, ctx), s);
    assert.match(checkClientCredentialsScopes(['system/Observation.rs', 'patient/Observation.rs'], ctx)?.description ?? '', /patient\/Observation\.rs.*\(GR-6\)/);
    assert.equal(checkClientCredentialsScopes(['system/Observation.rs', 'b.sync'], ctx), undefined);
  });
});

describe('TOK-6, EP-5: who may introspect', () => {
  const apis = configFrom(testRawConfig('http://127.0.0.1:1', { resourceServers: [{ identifier: 'https://api.test/r', classification: 'SENSITIVE', scopes: {}, introspectionClientId: 'gw' }] })).resourceServers;
  const facts = { callerId: 'other', callerPublic: false, tokenClientId: 'owner', audience: ['https://api.test/r'] };

  it('TOK-6, EP-5: the owner and the audience\'s API only, never a public caller', () => {
    assert.equal(mayIntrospect(apis, facts), false);
    assert.equal(mayIntrospect(apis, { ...facts, callerId: 'owner' }), true);
    assert.equal(mayIntrospect(apis, { ...facts, callerId: 'gw' }), true);
    assert.equal(mayIntrospect(apis, { ...facts, callerId: 'gw', audience: [] }), false);
    assert.equal(mayIntrospect(apis, { ...facts, callerId: 'owner', callerPublic: true }), false);
  });
});

describe('EP-10: allowed_resources', () => {
  it('EP-10: a static client may list only the deployment\'s APIs', () => {
    const raw = testRawConfig('http://127.0.0.1:1', {
      clients: [{ client_id: 'svc', classification: 'IN-CONFIDENCE', client_secret: 'x'.repeat(40), token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [], allowed_resources: ['https://api.test/nowhere'] }],
    });
    assert.match(JSON.stringify(checkDeployment(configFrom(raw)).problems), /clients\[0\]\.allowed_resources.*EP-10/);
  });

  it('EP-10: the token\'s APIs bound the registration and fill it in when absent', () => {
    const allowance = allowanceOf(allowancePolicies({ maxClassification: 'SENSITIVE', apis: ['https://api.test/a'] }));
    assert.equal(checkAllowance({ classification: 'PUBLIC', allowed_resources: ['https://api.test/b'] }, allowance)?.field, 'allowed_resources');
    assert.deepEqual(registrationDefaults({ classification: 'PUBLIC' }, allowance, options).allowed_resources, ['https://api.test/a']);
  });
});
