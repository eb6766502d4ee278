// Each rule leads to one executor, which holds the rule on every event it touches and owns
// the rule's line in the compliance report (src/policy/README.md, "The compliance report").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientFacts, providerFacts } from '../../src/compliance/facts.js';
import { assessTokenEncryption } from '../../src/compliance/rules/tokens.js';
import { profileFor, type ProfileOptions } from '../../src/policy/classification.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { ALL_EXECUTORS, ownerOf } from '../../src/policy/executors/index.js';
import type { AuthorizationFacts, ClientCheckContext, ClientFacts } from '../../src/policy/executors/types.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };

describe('every executor owns the report line of a rule it enforces', () => {
  it('no executor is left without a line of its own', () => {
    for (const e of ALL_EXECUTORS) assert.ok(e.report.length > 0, `${e.name} owns no report line`);
  });

  it('each executor has a name of its own, the one its messages and its owner lookup are told by', () => {
    const names = ALL_EXECUTORS.map((e) => e.name);
    assert.ok(names.every((n) => /^[a-z][a-z-]+$/.test(n)), names.join(', '));
    assert.equal(new Set(names).size, names.length, names.join(', '));
    assert.equal(ownerOf('OIDC-2')?.executor.name, 'id-token-hashes');
    assert.equal(ownerOf('OIDC-9')?.executor.name, 'smart');
  });

  it('EP-3: one executor checks the registered redirect URIs and refuses a request without state or nonce, and its line says both', () => {
    const owner = ownerOf('EP-3');
    assert.ok(owner);
    const profile = profileFor('IN-CONFIDENCE', options);
    const client: ClientFacts = { classification: 'IN-CONFIDENCE', profile, authMethod: 'private_key_jwt', isPublic: false, responseTypes: ['code id_token'], grantTypes: ['authorization_code'], usesAuthorize: true };
    const ctx: ClientCheckContext = { options, development: false, signingAlgs: ['PS256'], mtls: { enabled: false, trustedCas: false } };
    const problems = owner.executor.checkClient?.({ redirect_uris: ['https://rp.example/*'] }, client, ctx) ?? [];
    assert.deepEqual(problems.map((p) => `${p.field} ${p.rule}`), ['redirect_uris[0] EP-3']);
    const facts: AuthorizationFacts = { responseType: 'code id_token', scopes: new Set(['openid']), nonce: 'n', state: undefined, codeChallengeMethod: 'S256', pushed: false, registeredScopes: undefined };
    assert.deepEqual(owner.executor.authorizationRequest?.(profile, facts), { error: 'invalid_request', description: 'state is required (EP-3)' });
    assert.match(owner.executor.authorizationRequest?.(profile, { ...facts, state: 's', nonce: undefined })?.description ?? '', /^nonce is required.*\(EP-3\)$/);
    assert.equal(owner.executor.authorizationRequest?.(profile, { ...facts, state: 's' }), undefined);
    assert.match(owner.line.mechanism, /redirect_uri exactly/);
    assert.match(owner.line.mechanism, /without state or nonce/);
  });
});

describe('TOK-8 in the compliance report', () => {
  const config = configFrom(testRawConfig('http://localhost:3000'));
  const policy = checkDeployment(config);
  const ctx = { config, policy, provider: providerFacts(config, policy), clients: policy.clients.map(clientFacts) };

  it('TOK-8: where ID tokens from /token may carry identity claims and encryption is available, the row says how a client gets JWE', () => {
    const row = assessTokenEncryption(ctx, { backChannelIdTokenClaims: true });
    assert.equal(row.status, 'default');
    assert.match(row.evidence, /ID-token encryption is available \(features\.encryption\)/);
    assert.equal(row.mechanism, ownerOf('TOK-8')?.line.mechanism);
    assert.match(row.mechanism ?? '', /id_token_encrypted_response_alg/);
  });

  it('TOK-8: where ID tokens carry protocol claims only (this build), the row shows the same line', () => {
    const row = assessTokenEncryption(ctx, { backChannelIdTokenClaims: false });
    assert.equal(row.status, 'default');
    assert.match(row.evidence, /ID tokens carry only protocol claims/);
    assert.equal(row.mechanism, ownerOf('TOK-8')?.line.mechanism);
  });
});
