// Client registrations against their classification profile: the examples the guideline
// rules out, and a property: no metadata accepted for a profile breaks that profile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ASYMMETRIC_AUTH_METHODS, CLASSIFICATIONS, profileFor, type Classification, type ProfileOptions } from '../../src/policy/classification.js';
import { applyProfile, checkClient, clientFacts, type ClientMetadata } from '../../src/policy/clients.js';

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

describe('client registrations: switches, bindings and grants', () => {
  const problemsOf = (meta: ClientMetadata, context: Partial<typeof ctx> & { ciba?: boolean } = {}) => checkClient(applyProfile(meta, meta.classification as Classification, options), { ...ctx, ...context });
  const fields = (meta: ClientMetadata, context: Partial<typeof ctx> & { ciba?: boolean } = {}) => problemsOf(meta, context).map((p) => `${p.field} ${p.rule ?? ''}`.trim());
  const mtlsOff = { mtls: { enabled: false, trustedCas: false } };
  const selfSigned = { ...sensitive, token_endpoint_auth_method: 'self_signed_tls_client_auth', jwks: { keys: [] } };

  it('EP-2: self_signed_tls_client_auth is refused when mTLS is off, and accepted with mTLS on and no CAs (it pins its own certificate)', () => {
    assert.deepEqual(problemsOf(selfSigned, mtlsOff), [
      { field: 'token_endpoint_auth_method', message: 'mutual TLS is not enabled in this deployment (mtls.enabled)', rule: 'EP-2' },
    ]);
    assert.deepEqual(fields(selfSigned, { mtls: { enabled: true, trustedCas: false } }), []);
  });

  it('EP-2: self_signed_tls_client_auth needs its certificate in jwks or jwks_uri', () => {
    assert.deepEqual(fields({ ...selfSigned, jwks: undefined }), ['jwks EP-2']);
    assert.deepEqual(fields({ ...selfSigned, jwks: undefined, jwks_uri: 'https://rp.example/jwks' }), []);
  });

  it('EP-2: tls_client_auth with mTLS off is refused for mTLS, not for the missing CAs', () => {
    const tls = { ...web, token_endpoint_auth_method: 'tls_client_auth', tls_client_auth_san_dns: 'lab.example' };
    assert.deepEqual(fields(tls), []);
    assert.deepEqual(fields(tls, mtlsOff), ['token_endpoint_auth_method EP-2']);
    assert.deepEqual(fields(tls, { mtls: { enabled: true, trustedCas: false } }), ['token_endpoint_auth_method EP-2']);
    assert.match(problemsOf(tls, { mtls: { enabled: true, trustedCas: false } })[0]?.message ?? '', /mtls\.caFile/);
    assert.deepEqual(fields({ ...tls, tls_client_auth_subject_dn: 'CN=lab' }), ['tls_client_auth_subject_dn EP-2'], 'two subjects');
  });

  it('EP-2: tokens bound to both DPoP and mTLS are refused: one proof-of-possession mechanism', () => {
    const both = { ...sensitive, dpop_bound_access_tokens: true, tls_client_certificate_bound_access_tokens: true };
    assert.deepEqual(problemsOf(both), [{ field: 'dpop_bound_access_tokens', message: 'choose one proof-of-possession mechanism, DPoP or mTLS', rule: 'EP-2' }]);
    assert.deepEqual(fields({ ...sensitive, dpop_bound_access_tokens: false, tls_client_certificate_bound_access_tokens: true }), [], 'mTLS alone');
    assert.deepEqual(fields({ ...web, dpop_bound_access_tokens: true, tls_client_certificate_bound_access_tokens: true }), ['dpop_bound_access_tokens EP-2'], 'for IN-CONFIDENCE too');
  });

  it('EP-2: senderConstrainedInConfidence on: an unbound IN-CONFIDENCE client is refused; off: accepted', () => {
    const on = { ...options, senderConstrainedInConfidence: true };
    const meta = applyProfile(web, 'IN-CONFIDENCE', on);
    assert.deepEqual(checkClient(meta, { ...ctx, options: on }).map((p) => p.rule), ['EP-2']);
    assert.deepEqual(checkClient({ ...meta, dpop_bound_access_tokens: true }, { ...ctx, options: on }), []);
    assert.deepEqual(checkClient(meta, ctx), []);
  });

  it('GR-8: parForInConfidence on: PAR is set for IN-CONFIDENCE clients and an opt-out is refused; off: neither', () => {
    const on = { ...options, parForInConfidence: true };
    assert.equal(applyProfile(web, 'IN-CONFIDENCE', on).require_pushed_authorization_requests, true);
    assert.equal(applyProfile(web, 'IN-CONFIDENCE', options).require_pushed_authorization_requests, undefined);
    const optOut = { ...web, require_pushed_authorization_requests: false };
    assert.deepEqual(checkClient(applyProfile(optOut, 'IN-CONFIDENCE', on), { ...ctx, options: on }).map((p) => `${p.field} ${p.rule}`), ['require_pushed_authorization_requests GR-8']);
    assert.deepEqual(checkClient(applyProfile(optOut, 'IN-CONFIDENCE', options), ctx), []);
  });

  it('GR-1: an unknown grant type is refused by name; every offered grant is accepted', () => {
    const device = 'urn:ietf:params:oauth:grant-type:device_code';
    assert.deepEqual(problemsOf({ ...web, grant_types: ['authorization_code', device] }), [{ field: 'grant_types', message: `"${device}" is not offered`, rule: 'GR-1' }]);
    assert.deepEqual(fields({ ...web, grant_types: ['authorization_code', 'refresh_token', 'client_credentials'] }), []);
    const implicit = { ...options, implicitForPublic: true };
    const pub = { client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', response_types: ['id_token token'], grant_types: ['implicit'], redirect_uris: ['https://app.example/cb'] };
    assert.deepEqual(checkClient(pub, { ...ctx, options: implicit }), []);
  });

  it('EP-9: a client with the CIBA grant is refused when CIBA is off (or not said), and its CIBA checks apply when on', () => {
    const ciba = { ...web, grant_types: ['urn:openid:params:grant-type:ciba'], response_types: [], redirect_uris: [], backchannel_token_delivery_mode: 'poll' };
    const off = [{ field: 'grant_types', message: 'CIBA is not enabled in this deployment (features.ciba)', rule: 'EP-9' }];
    assert.deepEqual(checkClient(ciba, ctx), off);
    assert.deepEqual(checkClient(ciba, { ...ctx, ciba: false }), off);
    assert.deepEqual(checkClient(ciba, { ...ctx, ciba: true }), []);
    assert.deepEqual(checkClient({ ...ciba, backchannel_token_delivery_mode: 'push' }, { ...ctx, ciba: true }).map((p) => p.field), ['backchannel_token_delivery_mode']);
    assert.deepEqual(checkClient({ ...ciba, backchannel_token_delivery_mode: 'push' }, ctx), off, 'when off, only that it is off');
  });

  it('GR-6: client_credentials: any confidential method for IN-CONFIDENCE; an asymmetric one for SENSITIVE', () => {
    const service = { client_id: 's', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [] };
    assert.deepEqual(checkClient({ ...service, classification: 'IN-CONFIDENCE' }, ctx), []);
    const sensitiveService = { ...service, classification: 'SENSITIVE', dpop_bound_access_tokens: true };
    assert.deepEqual(
      checkClient(sensitiveService, ctx).filter((p) => p.rule === 'GR-6'),
      [{ field: 'token_endpoint_auth_method', message: 'client_credentials for SENSITIVE needs private_key_jwt, tls_client_auth, self_signed_tls_client_auth', rule: 'GR-6' }],
    );
    assert.deepEqual(checkClient({ ...sensitiveService, token_endpoint_auth_method: 'private_key_jwt' }, ctx), []);
    assert.deepEqual(checkClient({ ...service, classification: 'PUBLIC', token_endpoint_auth_method: 'none' }, ctx).map((p) => `${p.field} ${p.rule}`), ['grant_types GR-6'], 'a public client: only GR-6, not also the auth-method check');
  });

  it('EP-2: without token_endpoint_auth_method a client is client_secret_basic, which the guideline does not list', () => {
    const meta = { ...web, token_endpoint_auth_method: undefined };
    assert.deepEqual(problemsOf(meta).map((p) => p.message), [
      '"client_secret_basic" is not allowed for IN-CONFIDENCE; use one of client_secret_post, client_secret_jwt, private_key_jwt, tls_client_auth, self_signed_tls_client_auth',
    ]);
  });

  it('GR-2: a public IN-CONFIDENCE client is refused as public, not as a wrong method', () => {
    assert.deepEqual(problemsOf({ ...web, token_endpoint_auth_method: 'none', grant_types: ['authorization_code'] }), [
      { field: 'token_endpoint_auth_method', message: 'a IN-CONFIDENCE client must be confidential; "none" makes it public', rule: 'GR-2' },
    ]);
    assert.deepEqual(fields({ client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', redirect_uris: ['https://a.example/cb'] }), [], 'PUBLIC may be public');
  });

  it('GR-4: a refused response type is named with what the class allows', () => {
    assert.deepEqual(problemsOf({ ...web, response_types: ['code'] }).map((p) => p.message), ['"code" is not allowed for IN-CONFIDENCE; allowed: code id_token']);
  });

  it('GR-1: id_token token needs the implicit grant; the implicit grant needs a response type that returns tokens from /authorize', () => {
    const implicit = { ...options, implicitForPublic: true };
    const pub = { client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'] };
    assert.deepEqual(checkClient({ ...pub, response_types: ['id_token token'], grant_types: ['authorization_code'] }, { ...ctx, options: implicit }).map((p) => p.message), [
      'response type "id_token token" needs the implicit grant',
    ]);
    assert.deepEqual(checkClient({ ...pub, response_types: ['code'], grant_types: ['authorization_code', 'implicit'] }, ctx).map((p) => p.message), [
      'the implicit grant goes only with response types that return tokens from /authorize',
    ]);
    assert.deepEqual(checkClient({ ...pub, response_types: ['code', 'id_token token'], grant_types: ['authorization_code', 'implicit'] }, { ...ctx, options: implicit }), []);
    assert.deepEqual(checkClient({ ...web, response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'] }, ctx), [], 'a hybrid response counts as implicit');
  });

  it('GR-1: response type "none" needs neither grant', () => {
    const problems = checkClient({ ...web, response_types: ['none'], grant_types: ['authorization_code'] }, ctx);
    assert.ok(!problems.some((p) => p.field === 'grant_types'), JSON.stringify(problems));
  });

  it('EP-3: a client using /authorize needs a redirect URI; a service client does not', () => {
    assert.deepEqual(problemsOf({ ...web, redirect_uris: [] }), [{ field: 'redirect_uris', message: 'at least one redirect URI is required', rule: 'EP-3' }]);
    assert.deepEqual(problemsOf({ ...web, redirect_uris: undefined }).map((p) => p.field), ['redirect_uris']);
    assert.deepEqual(checkClient({ client_id: 's', classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [] }, ctx), []);
  });

  it('EP-3, EP-11: each bad redirect URI is reported at its index; http only on loopback, or in development mode', () => {
    assert.deepEqual(fields({ ...web, redirect_uris: ['https://rp.example/cb', 'https://rp.example/cb#x'] }), ['redirect_uris[1] EP-3']);
    assert.deepEqual(fields({ ...web, redirect_uris: ['http://localhost:3000/cb', 'http://[::1]/cb', 'http://127.0.0.1/cb'] }), []);
    assert.deepEqual(fields({ ...web, redirect_uris: ['http://127.0.0.2/cb'] }), ['redirect_uris[0] EP-11']);
    assert.deepEqual(fields({ ...web, redirect_uris: ['http://rp.example/cb'] }, { development: true }), []);
    assert.deepEqual(fields({ ...web, redirect_uris: ['https://*.rp.example/cb'] }), ['redirect_uris[0] EP-3']);
  });

  it('TOK-9: RS256 for ID tokens only where the deployment signs with it; every signed-response field is checked', () => {
    assert.deepEqual(fields({ ...web, id_token_signed_response_alg: 'RS256' }), ['id_token_signed_response_alg TOK-9']);
    assert.deepEqual(fields({ ...web, id_token_signed_response_alg: 'RS256' }, { signingAlgs: ['ES256', 'RS256'] }), []);
    for (const field of ['userinfo_signed_response_alg', 'authorization_signed_response_alg', 'introspection_signed_response_alg']) {
      assert.deepEqual(fields({ ...web, [field]: 'HS256' }), [`${field} TOK-9`], field);
      assert.deepEqual(fields({ ...web, [field]: 'ES256' }), [], field);
    }
    assert.deepEqual(problemsOf({ ...web, id_token_signed_response_alg: 7 }).map((p) => p.message), ['"7" is not an approved signing algorithm here']);
    assert.deepEqual(problemsOf({ ...web, id_token_signed_response_alg: 'HS256' }).map((p) => p.message), ['"HS256" is not an approved signing algorithm here']);
    assert.deepEqual(fields({ ...web, request_object_signing_alg: 'PS256' }), []);
  });

  it('applyProfile fills in the response types of the class and the grant they need, and leaves given ones alone', () => {
    const bare = { client_id: 'b', classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', redirect_uris: ['https://rp.example/cb'] };
    const applied = applyProfile(bare, 'IN-CONFIDENCE', options);
    assert.deepEqual(applied.response_types, ['code id_token']);
    assert.deepEqual(applied.grant_types, ['authorization_code']);
    assert.deepEqual(applyProfile({ ...bare, grant_types: ['client_credentials'] }, 'IN-CONFIDENCE', options).response_types, []);
    assert.deepEqual(applyProfile({ ...bare, response_types: ['id_token token'] }, 'PUBLIC', options).grant_types, ['implicit']);
    assert.deepEqual(applyProfile({ ...bare, response_types: ['code'], grant_types: ['refresh_token'] }, 'PUBLIC', options), { ...bare, response_types: ['code'], grant_types: ['refresh_token'] });
    assert.equal(applyProfile({ ...bare, require_pushed_authorization_requests: false }, 'SENSITIVE', options).require_pushed_authorization_requests, false, 'an explicit opt-out is left for checkClient to refuse');
    assert.equal(bare.classification, 'IN-CONFIDENCE');
    assert.equal('response_types' in bare, false, 'the input is not changed');
  });
});

describe('client registrations: each refusal says what to change (the error_description /register returns)', () => {
  const pub = { client_id: 'p', classification: 'PUBLIC', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example/cb'] };
  const cases: [string, ClientMetadata, { field: string; message: string; rule?: string }][] = [
    ['GR-5', { ...web, grant_types: ['authorization_code', 'password'] }, { field: 'grant_types', message: 'the resource-owner password credentials grant is never offered', rule: 'GR-5' }],
    ['GR-1', { ...web, grant_types: ['refresh_token'] }, { field: 'grant_types', message: 'response_types code id_token need the authorization_code grant', rule: 'GR-1' }],
    ['GR-7', { ...pub, grant_types: ['authorization_code', 'refresh_token'] }, { field: 'grant_types', message: 'refresh tokens are not issued to public clients', rule: 'GR-7' }],
    ['GR-6', { ...pub, grant_types: ['client_credentials'], response_types: [] }, { field: 'grant_types', message: 'client_credentials is for confidential clients only', rule: 'GR-6' }],
    ['EP-3', { ...web, redirect_uris: ['/cb'] }, { field: 'redirect_uris[0]', message: 'must be an absolute URI', rule: 'EP-3' }],
    ['EP-3', { ...web, redirect_uris: ['https://rp.example/cb#x'] }, { field: 'redirect_uris[0]', message: 'must not contain a fragment', rule: 'EP-3' }],
    ['EP-3', { ...web, redirect_uris: ['https://rp.example/*'] }, { field: 'redirect_uris[0]', message: 'wildcards are not allowed; redirect URIs match exactly', rule: 'EP-3' }],
    ['EP-11', { ...web, redirect_uris: ['http://rp.example/cb'] }, { field: 'redirect_uris[0]', message: 'must use https (http only for loopback addresses)', rule: 'EP-11' }],
    ['GR-8', { ...sensitive, require_pushed_authorization_requests: false }, { field: 'require_pushed_authorization_requests', message: 'PAR is required for SENSITIVE clients', rule: 'GR-8' }],
    ['EP-2', { ...web, token_endpoint_auth_method: 'tls_client_auth' }, { field: 'tls_client_auth_subject_dn', message: 'tls_client_auth needs exactly one of tls_client_auth_subject_dn or tls_client_auth_san_*', rule: 'EP-2' }],
    ['EP-2', { ...sensitive, token_endpoint_auth_method: 'self_signed_tls_client_auth' }, { field: 'jwks', message: 'self_signed_tls_client_auth needs the certificate in jwks or jwks_uri (x5c)', rule: 'EP-2' }],
    ['EP-2', { ...sensitive, dpop_bound_access_tokens: false }, { field: 'dpop_bound_access_tokens', message: 'a SENSITIVE client must be sender-constrained: set dpop_bound_access_tokens or tls_client_certificate_bound_access_tokens', rule: 'EP-2' }],
    ['TOK-9', { ...web, request_object_signing_alg: 'none' }, { field: 'request_object_signing_alg', message: '"none" is never accepted', rule: 'TOK-9' }],
  ];
  for (const [rule, meta, problem] of cases) {
    it(`${rule}: ${problem.message}`, () => {
      assert.deepEqual(check(meta), [problem]);
    });
  }

  it('EP-2: a tls_client_auth subject counts only as a string, and any one of the five fields will do', () => {
    const tls = { ...web, token_endpoint_auth_method: 'tls_client_auth' };
    for (const field of ['tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri', 'tls_client_auth_san_ip', 'tls_client_auth_san_email']) {
      assert.deepEqual(check({ ...tls, [field]: 'x' }), [], field);
    }
    assert.deepEqual(check({ ...tls, tls_client_auth_subject_dn: ['CN=a'] }).map((p) => p.field), ['tls_client_auth_subject_dn']);
  });

  it('only strings count in lists: a registration whose grant_types hold a non-string is read without it', () => {
    assert.deepEqual(check({ ...web, grant_types: ['authorization_code', 7] }), []);
    assert.deepEqual(check({ ...web, redirect_uris: ['https://rp.example/cb', null] }), []);
  });
});

describe('EP-3: what a registration that leaves the flow out is checked as', () => {
  it('EP-3: no response or grant types means the library defaults (code, authorization_code): a code-flow client that needs a redirect URI', () => {
    const facts = clientFacts({ classification: 'IN-CONFIDENCE' }, 'IN-CONFIDENCE', options);
    assert.deepEqual([facts.responseTypes, facts.grantTypes, facts.usesAuthorize], [['code'], ['authorization_code'], true]);
    const problems = checkClient({ classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'private_key_jwt', jwks_uri: 'https://rp.test/jwks' }, ctx);
    assert.ok(problems.some((p) => p.field === 'redirect_uris' && p.rule === 'EP-3'), JSON.stringify(problems));
  });

  it('EP-3: response types none, or none at all, never reach /authorize, so no redirect URI is needed', () => {
    for (const responseTypes of [['none'], []]) {
      const facts = clientFacts({ classification: 'IN-CONFIDENCE', response_types: responseTypes, grant_types: ['client_credentials'] }, 'IN-CONFIDENCE', options);
      assert.equal(facts.usesAuthorize, false, JSON.stringify(responseTypes));
      assert.deepEqual(facts.grantTypes, ['client_credentials']);
    }
    assert.equal(clientFacts({ classification: 'PUBLIC', response_types: ['none', 'code'] }, 'PUBLIC', options).usesAuthorize, true, 'one response type that is not none is enough');
  });
});
