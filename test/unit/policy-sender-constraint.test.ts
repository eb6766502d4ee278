// EP-2: sender-constrained tokens (src/policy/executors/sender-constraint.ts): what a
// self-registered SENSITIVE client gets set for it, an explicit opt-out left for the check
// to refuse, and the start-up messages that tell an operator how to wire mutual TLS.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProfileOptions } from '../../src/policy/classification.js';
import { applyProfile, applyRegistrationDefaults, checkClient, type ClientMetadata } from '../../src/policy/clients.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };
const ctx = { options, development: false, signingAlgs: ['ES256', 'PS256'], mtls: { enabled: true, trustedCas: true } };
const sensitive = (auth: string, extra: ClientMetadata = {}): ClientMetadata => ({
  client_id: 'records', classification: 'SENSITIVE', token_endpoint_auth_method: auth, response_types: ['code id_token'],
  grant_types: ['authorization_code'], redirect_uris: ['https://records.example/cb'], ...extra,
});
const bindings = (meta: ClientMetadata) => ({ dpop: meta.dpop_bound_access_tokens, mtls: meta.tls_client_certificate_bound_access_tokens });

describe('sender-constrained tokens (EP-2)', () => {
  it('EP-2: a self-registered SENSITIVE client authenticating with a certificate, CA-issued or self-signed, gets mTLS-bound tokens', () => {
    for (const auth of ['tls_client_auth', 'self_signed_tls_client_auth']) {
      assert.deepEqual(bindings(applyRegistrationDefaults(sensitive(auth), 'SENSITIVE', options)), { dpop: undefined, mtls: true }, auth);
    }
    // without a certificate there is nothing to bind to but a DPoP key
    assert.deepEqual(bindings(applyRegistrationDefaults(sensitive('private_key_jwt'), 'SENSITIVE', options)), { dpop: true, mtls: undefined });
  });

  it('EP-2: an explicit tls_client_certificate_bound_access_tokens: false is not overridden, and the SENSITIVE client is refused', () => {
    const optedOut = applyRegistrationDefaults(sensitive('tls_client_auth', { tls_client_auth_subject_dn: 'CN=records', tls_client_certificate_bound_access_tokens: false }), 'SENSITIVE', options);
    assert.deepEqual(bindings(optedOut), { dpop: undefined, mtls: false });
    assert.deepEqual(checkClient(applyProfile(optedOut, 'SENSITIVE', options), ctx).filter((p) => p.rule === 'EP-2'), [
      { field: 'dpop_bound_access_tokens', message: 'a SENSITIVE client must be sender-constrained: set dpop_bound_access_tokens or tls_client_certificate_bound_access_tokens', rule: 'EP-2' },
    ]);
  });

  const mtlsProblems = (mtls: Record<string, unknown>) =>
    checkDeployment(configFrom(testRawConfig('http://127.0.0.1:3000', { mtls }))).problems.filter((p) => p.field.startsWith('mtls'));

  it('EP-2: mutual TLS with neither tls nor a proxy header stops start-up, saying which two settings would do', () => {
    assert.deepEqual(mtlsProblems({ enabled: true }), [
      { field: 'mtls', message: 'mutual TLS needs either tls (the IdP terminates TLS) or mtls.proxyHeader (a proxy forwards the certificate)', rule: 'EP-2' },
    ]);
  });

  it('EP-2: a certificate header without trusted proxies stops start-up, asking for the proxies to list', () => {
    assert.deepEqual(mtlsProblems({ enabled: true, proxyHeader: 'x-ssl-client-cert' }), [
      { field: 'mtls.trustedProxies', message: 'list the proxies allowed to forward client certificates; the header is ignored from anyone else', rule: 'EP-2' },
    ]);
    assert.deepEqual(mtlsProblems({ enabled: true, proxyHeader: 'x-ssl-client-cert', trustedProxies: ['127.0.0.1'] }), []);
  });
});
