// OIDC-9, GR-6: SMART Backend Services — a SENSITIVE service client with ES384
// private_key_jwt gets system/ scopes only, in a token of at most five minutes, and calls
// the FHIR API with it (DPoP-bound, EP-2). After Inferno's backend services group.
// Also the SMART discovery document (Inferno's discovery group): it claims only what works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { decodeJwt } from '../helpers/rp.js';
import { BACKEND_KEY, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

let s: SmartIdp;
let backend: oidc.Configuration;
before(async () => {
  s = await startSmartIdp();
  backend = await oidc.discovery(new URL(s.url), 'backend', {}, oidc.PrivateKeyJwt(BACKEND_KEY), { execute: [oidc.allowInsecureRequests] });
});
after(async () => s.close());

describe('backend services (OIDC-9, GR-6)', () => {
  it('OIDC-9: ES384 private_key_jwt, system/ scope, a token of at most 5 minutes for the FHIR server, and the API call', async () => {
    const dpop = oidc.getDPoPHandle(backend, await oidc.randomDPoPKeyPair('ES256'));
    // SENSITIVE: DPoP with a server nonce at /token (EP-2); openid-client retries with it by itself.
    const tokens = await oidc.clientCredentialsGrant(backend, { scope: 'system/Observation.rs' }, { DPoP: dpop });
    assert.equal(tokens.scope, 'system/Observation.rs');
    assert.ok((tokens.expires_in ?? Infinity) <= 300);
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, s.fhir);
    assert.ok(Number(at.exp) - Number(at.iat) <= 300);
    const call = () => oidc.fetchProtectedResource(backend, tokens.access_token, new URL(`${s.fhir}/Observation?patient=p-alice`), 'GET', null, undefined, { DPoP: dpop });
    let res = await call();
    if (res.status === 401 && res.headers.get('dpop-nonce')) res = await call();
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { total: number }).total, 3);
    // Without its DPoP proof the bound token is worthless to the API.
    const bare = await fetch(`${s.fhir}/Observation?patient=p-alice`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(bare.status, 401);
  });

  it('GR-6: a patient/ scope through client_credentials is refused', async () => {
    const dpop = oidc.getDPoPHandle(backend, await oidc.randomDPoPKeyPair('ES256'));
    const err = await oidc.clientCredentialsGrant(backend, { scope: 'patient/Observation.rs' }, { DPoP: dpop }).then(
      () => undefined,
      (e: unknown) => e as { error?: string; error_description?: string },
    );
    assert.equal(err?.error, 'invalid_scope');
    assert.match(String(err?.error_description), /GR-6/);
  });
});

describe('SMART discovery (OIDC-9)', () => {
  it('OIDC-9: /.well-known/smart-configuration claims only what works, at the issuer and under the demo FHIR base', async () => {
    for (const base of [s.url, s.fhir]) {
      const res = await fetch(`${base}/.well-known/smart-configuration`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as { capabilities: string[]; token_endpoint_auth_signing_alg_values_supported: string[]; scopes_supported: string[]; code_challenge_methods_supported: string[] };
      for (const c of ['launch-ehr', 'launch-standalone', 'context-ehr-patient', 'context-standalone-patient', 'context-banner', 'context-style', 'permission-v1', 'permission-v2', 'permission-patient', 'permission-user', 'client-confidential-asymmetric', 'sso-openid-connect']) {
        assert.ok(doc.capabilities.includes(c), c);
      }
      // EP-2: HTTP Basic is not approved here, so SMART's symmetric profile is not claimed.
      assert.ok(!doc.capabilities.includes('client-confidential-symmetric'));
      assert.ok(doc.token_endpoint_auth_signing_alg_values_supported.includes('ES384'));
      assert.ok(!doc.token_endpoint_auth_signing_alg_values_supported.includes('RS384'), 'RS384 only by opt-in (TOK-9)');
      assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
      for (const sc of ['fhirUser', 'launch', 'launch/patient', 'patient/Observation.rs']) assert.ok(doc.scopes_supported.includes(sc), sc);
    }
  });
});
