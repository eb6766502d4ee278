// OIDC-9, GR-6: SMART Backend Services — a SENSITIVE service client with ES384
// private_key_jwt gets system/ scopes only, in a token of at most five minutes, and calls
// the FHIR API with it (DPoP-bound, EP-2). After Inferno's backend services group.
// Also the SMART discovery document (Inferno's discovery group): it claims only what works.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { decodeJwt } from '../helpers/rp.js';
import { BACKEND_KEY, smartClients, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

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

describe('backend services with RS384 (OIDC-9, TOK-9)', () => {
  // SMART requires servers to accept RS384 and ES384 assertions; RS384 is RSASSA-PKCS1-v1_5,
  // which TOK-9 accepts only when the deployment opts in (algorithms.clientAuthentication).
  let rs: SmartIdp;
  let rsa: CryptoKey;
  before(async () => {
    const keys = await generateKeyPair('RS384', { modulusLength: 2048, extractable: true });
    rsa = keys.privateKey;
    const jwk = { ...(await exportJWK(keys.publicKey)), alg: 'RS384', use: 'sig', kid: 'rsa-1' };
    const clients = await smartClients();
    rs = await startSmartIdp(() => ({
      algorithms: { clientAuthentication: ['ES384', 'RS384'] },
      clients: [
        ...clients,
        {
          client_id: 'backend-rsa',
          client_name: 'Registry sync service',
          classification: 'IN-CONFIDENCE',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'RS384',
          jwks: { keys: [jwk] },
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        },
      ],
    }));
  });
  after(async () => rs?.close());

  it('OIDC-9, TOK-9: with the RS384 opt-in an RS384 private_key_jwt gets a system/ token for the FHIR server, and discovery says RS384', async () => {
    const service = await oidc.discovery(new URL(rs.url), 'backend-rsa', {}, oidc.PrivateKeyJwt(rsa), { execute: [oidc.allowInsecureRequests] });
    const tokens = await oidc.clientCredentialsGrant(service, { scope: 'system/Observation.rs' });
    assert.equal(tokens.scope, 'system/Observation.rs');
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, rs.fhir);
    assert.equal(at.client_id, 'backend-rsa');
    assert.ok(Number(at.exp) - Number(at.iat) <= 300);
    const res = await fetch(`${rs.fhir}/Observation?patient=p-alice`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(res.status, 200);
    const doc = (await (await fetch(`${rs.url}/.well-known/smart-configuration`)).json()) as { token_endpoint_auth_signing_alg_values_supported: string[] };
    assert.ok(doc.token_endpoint_auth_signing_alg_values_supported.includes('RS384'));
  });

  it('TOK-9: the same key signing RS256 (not opted in, not registered) is refused with invalid_client and says why', async () => {
    const rs256 = await importJWK({ ...(await exportJWK(rsa)), alg: 'RS256' }, 'RS256');
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
      .setIssuer('backend-rsa')
      .setSubject('backend-rsa')
      .setAudience(rs.url)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(rs256);
    const res = await fetch(`${rs.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/Observation.rs', client_id: 'backend-rsa', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
    });
    const body = (await res.json()) as { error?: string; error_description?: string };
    assert.equal(res.status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.ok(body.error_description, 'a description for the developer');
  });
});
