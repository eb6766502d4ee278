// OIDC-1 at registration (src/policy/executors/openid.ts): a client that signs people in
// and limits its scopes registers `openid`, or every one of its sign-ins would fail (the
// library refuses a scope the registration leaves out). What it is told, and when not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { openid } from '../../src/policy/executors/openid.js';
import type { ClientCheckContext, ClientFacts } from '../../src/policy/executors/types.js';
import { knownScopes } from '../../src/policy/scopes.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const profile = profileFor('IN-CONFIDENCE', options);
const web: ClientFacts = { classification: 'IN-CONFIDENCE', profile, authMethod: 'client_secret_post', isPublic: false, responseTypes: ['code id_token'], grantTypes: ['authorization_code'], usesAuthorize: true };
const ctx: ClientCheckContext = {
  options,
  development: false,
  signingAlgs: ['PS256'],
  mtls: { enabled: false, trustedCas: false },
  scopes: knownScopes({ profile: { description: 'Your name', claims: ['name'], optional: false } }, [{ scopes: { 'clinic.read': 'Read' } }]),
};
const check = (meta: Record<string, unknown>, client: ClientFacts = web, context: ClientCheckContext = ctx) => openid.checkClient?.(meta, client, context);
const refused = [{ field: 'scope', message: 'must include openid: every sign-in asks for it', rule: 'OIDC-1' }];

describe('OIDC-1: a registered scope without openid (executors/openid.ts)', () => {
  it('OIDC-1: a client that signs people in and registers scope without openid is refused, told why', () => {
    assert.deepEqual(check({ scope: 'profile' }), refused);
    assert.deepEqual(check({ scope: 'profile', api_scope: 'clinic.read' }), refused);
  });

  it('OIDC-1: openid in scope passes, and no registered scope limits nothing', () => {
    assert.deepEqual(check({ scope: 'openid profile' }), []);
    assert.deepEqual(check({ scope: 'profile openid', api_scope: 'clinic.read' }), []);
    assert.deepEqual(check({}), []);
  });

  it('OIDC-1: a client that never sends a person to /authorize needs no openid', () => {
    assert.deepEqual(check({ scope: 'clinic.read' }, { ...web, usesAuthorize: false, responseTypes: [], grantTypes: ['client_credentials'] }), []);
  });

  it('OIDC-1: a profile that does not require openid asks nothing of the registration', () => {
    assert.deepEqual(check({ scope: 'profile' }, { ...web, profile: { ...profile, openidRequired: false } }), []);
  });

  it('OIDC-6 before OIDC-1: a malformed or unknown scope is left to the scopes executor, reported once', () => {
    assert.deepEqual(check({ scope: 'profile  clinic.read' }), []);
    assert.deepEqual(check({ scope: 'profile nhi' }), []);
    assert.deepEqual(check({ scope: 'profile' }, web, { ...ctx, scopes: undefined }), []);
  });
});
