// An authorization request against the client's profile, the pure check itself. The
// library refuses the response type, PAR and PKCE first (see src/policy/requests.ts);
// these tests hold the backstop to the same rules directly, and state, nonce and openid,
// which only this check enforces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { checkAuthorizationRequest, type AuthorizationFacts } from '../../src/policy/requests.js';
import { NONCE_REQUIRED } from '../../src/policy/executors/redirect-uris.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const inConfidence = profileFor('IN-CONFIDENCE', options);
const publicProfile = profileFor('PUBLIC', options);
const sensitive = profileFor('SENSITIVE', options);

const good: AuthorizationFacts = {
  responseType: 'code id_token',
  scopes: new Set(['openid', 'profile']),
  nonce: 'n-1',
  state: 's-1',
  codeChallengeMethod: 'S256',
  pushed: false,
  registeredScopes: undefined,
};

describe('authorization requests against the profile (the pure check)', () => {
  it('a well-formed request of each class passes', () => {
    assert.equal(checkAuthorizationRequest(inConfidence, good), undefined);
    assert.equal(checkAuthorizationRequest(publicProfile, { ...good, responseType: 'code' }), undefined);
    assert.equal(checkAuthorizationRequest(sensitive, { ...good, pushed: true }), undefined);
  });

  it('GR-4: a response type outside the profile is unsupported_response_type, naming it and the rule', () => {
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, responseType: 'code' }), {
      error: 'unsupported_response_type',
      description: 'response_type "code" is not allowed for this client (GR-4)',
    });
    assert.equal(checkAuthorizationRequest(publicProfile, good)?.error, 'unsupported_response_type');
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, responseType: undefined }), {
      error: 'unsupported_response_type',
      description: 'response_type "" is not allowed for this client (GR-4)',
    });
  });

  it('GR-8: a SENSITIVE request that did not come through /par is refused; through /par it passes', () => {
    assert.deepEqual(checkAuthorizationRequest(sensitive, good), {
      error: 'invalid_request',
      description: 'this client must push its authorization request to /par first (GR-8)',
    });
    assert.equal(checkAuthorizationRequest(sensitive, { ...good, pushed: true }), undefined);
    assert.equal(checkAuthorizationRequest(inConfidence, { ...good, pushed: false }), undefined, 'PAR optional for IN-CONFIDENCE');
  });

  it('GR-8: a code flow without PKCE, or with plain PKCE, is refused; each with its own description', () => {
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, codeChallengeMethod: undefined }), {
      error: 'invalid_request',
      description: 'PKCE is required: send code_challenge with code_challenge_method=S256 (GR-8)',
    });
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, codeChallengeMethod: 'plain' }), {
      error: 'invalid_request',
      description: 'only code_challenge_method=S256 is allowed (GR-8)',
    });
  });

  it('GR-8: PKCE is asked of code flows only; an implicit id_token token request needs none', () => {
    const implicit = profileFor('PUBLIC', { ...options, implicitForPublic: true });
    assert.equal(checkAuthorizationRequest(implicit, { ...good, responseType: 'id_token token', codeChallengeMethod: undefined }), undefined);
  });

  it('EP-3: state and nonce are required', () => {
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, state: undefined }), { error: 'invalid_request', description: 'state is required (EP-3)' });
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, nonce: undefined }), { error: 'invalid_request', description: NONCE_REQUIRED });
    assert.equal(checkAuthorizationRequest(inConfidence, { ...good, state: '' })?.description, 'state is required (EP-3)');
    assert.equal(checkAuthorizationRequest(inConfidence, { ...good, nonce: '' })?.description, NONCE_REQUIRED);
  });

  it('OIDC-1: without the openid scope the request is invalid_scope; a profile that does not require it lets it pass', () => {
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, scopes: new Set(['profile']) }), {
      error: 'invalid_scope',
      description: 'the openid scope is required for this client (OIDC-1)',
    });
    assert.equal(checkAuthorizationRequest({ ...inConfidence, openidRequired: false }, { ...good, scopes: new Set(['profile']) }), undefined);
  });

  it('OIDC-3: scopes beyond the client\'s registered ones are refused, naming them; openid is always allowed', () => {
    const registeredScopes = new Set(['profile']);
    assert.equal(checkAuthorizationRequest(inConfidence, { ...good, registeredScopes }), undefined);
    assert.deepEqual(checkAuthorizationRequest(inConfidence, { ...good, scopes: new Set(['openid', 'profile', 'email', 'nhi']), registeredScopes }), {
      error: 'invalid_scope',
      description: 'scope not registered for this client: email nhi (OIDC-3)',
    });
  });

  it('the checks come in order: response type, PAR, PKCE, state, nonce, openid', () => {
    const bad: AuthorizationFacts = { responseType: 'token', scopes: new Set(), nonce: undefined, state: undefined, codeChallengeMethod: undefined, pushed: false, registeredScopes: new Set() };
    const order: string[] = [];
    let facts = bad;
    // bounded: a check that keeps refusing what was fixed fails here instead of looping
    for (let refusal = checkAuthorizationRequest(sensitive, facts); refusal && order.length < 10; refusal = checkAuthorizationRequest(sensitive, facts)) {
      order.push(/\((.*)\)$/.exec(refusal.description)?.[1] ?? refusal.description);
      if (refusal.error === 'unsupported_response_type') facts = { ...facts, responseType: 'code id_token' };
      else if (refusal.description.includes('/par')) facts = { ...facts, pushed: true };
      else if (refusal.description.includes('PKCE')) facts = { ...facts, codeChallengeMethod: 'S256' };
      else if (refusal.description.startsWith('state')) facts = { ...facts, state: 's' };
      else if (refusal.description.startsWith('nonce')) facts = { ...facts, nonce: 'n' };
      else if (refusal.error === 'invalid_scope') facts = { ...facts, scopes: new Set(['openid']) };
    }
    assert.deepEqual(order, ['GR-4', 'GR-8', 'GR-8', 'EP-3', 'EP-3', 'OIDC-1']);
  });
});
