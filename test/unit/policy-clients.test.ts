// Client registrations against their classification profile: the examples the guideline
// rules out, and a property: no metadata accepted for a profile breaks that profile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ASYMMETRIC_AUTH_METHODS, CLASSIFICATIONS, profileFor, type Classification, type ProfileOptions } from '../../src/policy/classification.js';
import { applyProfile, checkClient, type ClientMetadata } from '../../src/policy/clients.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const ctx = { options, development: false, signingAlgs: ['ES256', 'PS256'], mtls: { enabled: true, trustedCas: true } };

function check(meta: ClientMetadata) {
  const classification = meta.classification as Classification;
  const applied = CLASSIFICATIONS.includes(classification) ? applyProfile(meta, classification, options) : meta;
  return checkClient(applied, ctx);
}
const rules = (meta: ClientMetadata) => check(meta).map((p) => p.rule);

const web: ClientMetadata = {
  client_id: 'x',
  classification: 'IN-CONFIDENCE',
  token_endpoint_auth_method: 'client_secret_post',
  response_types: ['code id_token'],
  grant_types: ['authorization_code', 'refresh_token'],
  redirect_uris: ['https://rp.example/cb'],
};
const sensitive: ClientMetadata = { ...web, classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt', dpop_bound_access_tokens: true };

describe('client registrations against their profile', () => {
  it('well-formed clients of each class pass', () => {
    assert.deepEqual(check(web), []);
    assert.deepEqual(check(sensitive), []);
    assert.deepEqual(check({ client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'] }), []);
  });

  it('GR-2: a client without a classification is refused', () => {
    assert.deepEqual(rules({ ...web, classification: undefined }), ['GR-2']);
  });

  it('GR-2: a public SENSITIVE client is refused', () => {
    assert.ok(rules({ ...sensitive, token_endpoint_auth_method: 'none' }).includes('GR-2'));
  });

  for (const rt of ['token', 'code token', 'code id_token token', 'id_token', 'id_token token']) {
    it(`GR-4: response_types ["${rt}"] is refused for every class`, () => {
      for (const classification of CLASSIFICATIONS) {
        assert.ok(rules({ ...web, classification, response_types: [rt] }).includes('GR-4'), `${classification} ${rt}`);
      }
    });
  }

  it('GR-4: id_token token is offered to PUBLIC clients only when the deployment enables it', () => {
    const implicit = { ...options, implicitForPublic: true };
    const meta = { client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', response_types: ['id_token token'], grant_types: ['implicit'], redirect_uris: ['https://app.example/cb'] };
    assert.deepEqual(checkClient(meta, { ...ctx, options: implicit }), []);
    assert.ok(checkClient({ ...meta, classification: 'IN-CONFIDENCE' }, { ...ctx, options: implicit }).some((p) => p.rule === 'GR-4'));
  });

  it('GR-6: client_credentials with token_endpoint_auth_method none is refused', () => {
    assert.ok(rules({ client_id: 'c', classification: 'PUBLIC', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'], response_types: [] }).includes('GR-6'));
  });

  it('EP-2: a SENSITIVE client with client_secret_post is refused', () => {
    assert.ok(rules({ ...sensitive, token_endpoint_auth_method: 'client_secret_post' }).includes('EP-2'));
  });

  it('EP-2: a SENSITIVE client that is neither DPoP- nor mTLS-bound is refused', () => {
    assert.ok(rules({ ...sensitive, dpop_bound_access_tokens: false }).includes('EP-2'));
  });

  it('GR-8: a SENSITIVE client cannot opt out of PAR, and gets it by default', () => {
    assert.ok(rules({ ...sensitive, require_pushed_authorization_requests: false }).includes('GR-8'));
    assert.equal(applyProfile(sensitive, 'SENSITIVE', options).require_pushed_authorization_requests, true);
  });

  it('GR-5: the password grant is refused', () => {
    assert.ok(rules({ ...web, grant_types: ['authorization_code', 'password'] }).includes('GR-5'));
  });

  it('GR-7: a public client with refresh_token is refused', () => {
    assert.ok(rules({ client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], redirect_uris: ['https://a.example/cb'] }).includes('GR-7'));
  });

  it('GR-1: grant and response types that do not fit are refused, not reconciled', () => {
    assert.ok(rules({ ...web, grant_types: ['refresh_token'] }).includes('GR-1'));
    assert.ok(rules({ ...web, grant_types: ['authorization_code', 'implicit'], response_types: ['code'] , classification: 'PUBLIC', token_endpoint_auth_method: 'none' }).includes('GR-1'));
  });

  it('EP-3: redirect URIs are exact, absolute, without fragments or wildcards; EP-11: https', () => {
    assert.ok(rules({ ...web, redirect_uris: ['https://rp.example/*'] }).includes('EP-3'));
    assert.ok(rules({ ...web, redirect_uris: ['https://rp.example/cb#x'] }).includes('EP-3'));
    assert.ok(rules({ ...web, redirect_uris: ['/relative'] }).includes('EP-3'));
    assert.ok(rules({ ...web, redirect_uris: ['http://rp.example/cb'] }).includes('EP-11'));
    assert.deepEqual(rules({ ...web, redirect_uris: ['http://127.0.0.1:8080/cb'] }), []);
  });

  it('EP-2: mTLS client authentication needs mTLS in the deployment, trusted CAs, and one subject', () => {
    const tls = { ...web, token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_subject_dn: 'CN=lab' };
    assert.deepEqual(checkClient(tls, ctx), []);
    assert.ok(checkClient(tls, { ...ctx, mtls: { enabled: false, trustedCas: false } }).some((p) => p.rule === 'EP-2'));
    assert.ok(checkClient(tls, { ...ctx, mtls: { enabled: true, trustedCas: false } }).some((p) => p.rule === 'EP-2'));
    assert.ok(checkClient({ ...tls, tls_client_auth_subject_dn: undefined }, ctx).some((p) => p.field === 'tls_client_auth_subject_dn'));
    assert.ok(checkClient({ ...web, tls_client_certificate_bound_access_tokens: true }, { ...ctx, mtls: { enabled: false, trustedCas: false } }).some((p) => p.rule === 'EP-2'));
  });

  it('TOK-9: a client asking for HS256 or none ID tokens is refused', () => {
    assert.ok(rules({ ...web, id_token_signed_response_alg: 'HS256' }).includes('TOK-9'));
    assert.ok(rules({ ...web, id_token_signed_response_alg: 'none' }).includes('TOK-9'));
    assert.ok(rules({ ...web, request_object_signing_alg: 'none' }).includes('TOK-9'));
  });
});

describe('property: accepted metadata never breaks its profile', () => {
  const authMethods = ['none', 'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];
  const responseTypes = ['code', 'code id_token', 'id_token token', 'token', 'id_token', 'code token', 'code id_token token', 'none'];
  const grantTypes = ['authorization_code', 'refresh_token', 'client_credentials', 'implicit', 'password', 'urn:ietf:params:oauth:grant-type:device_code'];
  const metadata = fc.record(
    {
      classification: fc.constantFrom(...CLASSIFICATIONS),
      token_endpoint_auth_method: fc.constantFrom(...authMethods),
      response_types: fc.uniqueArray(fc.constantFrom(...responseTypes), { maxLength: 3 }),
      grant_types: fc.uniqueArray(fc.constantFrom(...grantTypes), { maxLength: 4 }),
      redirect_uris: fc.constantFrom(['https://rp.example/cb'], ['http://rp.example/cb'], []),
      dpop_bound_access_tokens: fc.boolean(),
      tls_client_certificate_bound_access_tokens: fc.boolean(),
      require_pushed_authorization_requests: fc.boolean(),
    },
    { requiredKeys: ['classification'] },
  );
  const deployment = fc.record({ implicitForPublic: fc.boolean(), codeForConfidential: fc.boolean(), parForInConfidence: fc.boolean(), senderConstrainedInConfidence: fc.boolean() });

  it('GR-2, GR-4, GR-5, GR-6, GR-7, GR-8, EP-2 hold for every accepted registration', () => {
    fc.assert(
      fc.property(metadata, deployment, (raw, opts) => {
        const classification = raw.classification;
        const meta = applyProfile({ client_id: 'x', ...raw }, classification, opts);
        if (checkClient(meta, { ...ctx, options: opts, signingAlgs: ['ES256'] }).length > 0) return;
        const profile = profileFor(classification, opts);
        const auth = (meta.token_endpoint_auth_method as string | undefined) ?? 'client_secret_basic';
        const grants = meta.grant_types as string[];
        assert.ok(profile.authMethods.includes(auth), 'EP-2 auth method');
        assert.ok(auth !== 'none' || classification === 'PUBLIC', 'GR-2 confidential');
        for (const rt of meta.response_types as string[]) assert.ok(profile.responseTypes.includes(rt), `GR-4 ${rt}`);
        assert.ok(!grants.includes('password'), 'GR-5');
        if (grants.includes('client_credentials')) assert.ok(auth !== 'none' && profile.clientCredentialsAuthMethods.includes(auth), 'GR-6');
        if (grants.includes('refresh_token')) assert.ok(auth !== 'none', 'GR-7');
        if (profile.par === 'required') assert.equal(meta.require_pushed_authorization_requests, true, 'GR-8');
        if (profile.senderConstrained === 'required') assert.ok(meta.dpop_bound_access_tokens === true || meta.tls_client_certificate_bound_access_tokens === true, 'EP-2 binding');
        if (classification === 'SENSITIVE') assert.ok((ASYMMETRIC_AUTH_METHODS as readonly string[]).includes(auth));
      }),
      { numRuns: 2000 },
    );
  });
});
