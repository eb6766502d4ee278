// OIDC-9, EP-2: a SENSITIVE EHR at POST /smart/launch. Its access tokens are always
// sender-constrained, so the route checks the binding as the library does at /userinfo:
// a DPoP-bound token with a proof for this request from the bound key (RFC 9449), an
// mTLS-bound token with the bound certificate (RFC 8705; here forwarded by a trusted proxy).
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { labClient, makePki, opensslSkip, proxiedMtls, type TestPki } from '../helpers/certs.js';
import { BACKEND_KEY, smartClients, startSmartIdp, type SmartIdp } from '../helpers/smart.js';

const missing = opensslSkip('SENSITIVE EHR SUITE');

const CONTEXT = JSON.stringify({ patient: 'p-tama' });

describe('SENSITIVE EHRs at POST /smart/launch (OIDC-9, EP-2)', { skip: missing }, () => {
  let s: SmartIdp;
  let pki: TestPki;
  let ehr: oidc.Configuration;

  before(async () => {
    pki = makePki();
    const clients = await smartClients();
    const backendJwks = clients.find((c) => c.client_id === 'backend')?.jwks;
    s = await startSmartIdp(() => ({
      mtls: proxiedMtls(pki),
      smart: { ehrLaunchers: ['ehr', 'ehr-dpop', 'ehr-mtls'], patients: [{ id: 'p-tama', name: 'Tama Rewi', birthDate: '2019-02-03' }] },
      clients: [
        ...clients,
        {
          client_id: 'ehr-dpop',
          client_name: 'Hospital EHR',
          classification: 'SENSITIVE',
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES384',
          jwks: backendJwks,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          dpop_bound_access_tokens: true,
        },
        labClient({ client_id: 'ehr-mtls', client_name: 'Specialist EHR', classification: 'SENSITIVE' }),
      ],
    }));
    ehr = await oidc.discovery(new URL(s.url), 'ehr-dpop', {}, oidc.PrivateKeyJwt(BACKEND_KEY), { execute: [oidc.allowInsecureRequests] });
  });
  after(async () => s?.close());

  async function dpopToken(): Promise<{ token: string; dpop: oidc.DPoPHandle; keys: CryptoKeyPair }> {
    const keys = await oidc.randomDPoPKeyPair('ES256');
    const dpop = oidc.getDPoPHandle(ehr, keys);
    const tokens = await oidc.clientCredentialsGrant(ehr, {}, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop', 'the EHR\'s token is DPoP-bound');
    return { token: tokens.access_token, dpop, keys };
  }

  /** A DPoP proof made by hand, so each claim can be wrong on purpose. */
  async function proof(key: CryptoKey, jwk: JWK, claims: Record<string, unknown>): Promise<string> {
    return new SignJWT({ jti: randomUUID(), htm: 'POST', htu: `${s.url}/smart/launch`, ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
      .setIssuedAt()
      .sign(key);
  }

  const post = (headers: Record<string, string>) => fetch(`${s.url}/smart/launch`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: CONTEXT });
  const ath = (token: string) => createHash('sha256').update(token).digest('base64url');

  it('OIDC-9, EP-2: a DPoP-bound EHR token with a proof for this request gets a launch value', async () => {
    const { token, dpop } = await dpopToken();
    const res = await oidc.fetchProtectedResource(ehr, token, new URL(`${s.url}/smart/launch`), 'POST', CONTEXT, new Headers({ 'content-type': 'application/json' }), { DPoP: dpop });
    assert.equal(res.status, 201, await res.clone().text());
    const body = (await res.json()) as { launch?: string };
    assert.match(String(body.launch), /^[\w-]{30,}$/);
  });

  it('EP-2: the DPoP-bound token as a plain bearer token (no proof) is refused', async () => {
    const { token } = await dpopToken();
    const res = await post({ authorization: `Bearer ${token}` });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /^DPoP /);
    const body = (await res.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'invalid_token');
    assert.match(body.error_description, /DPoP proof/);
  });

  it('EP-2: proofs that do not match are refused with invalid_dpop_proof: another key, URL, method or token, and a replay', async () => {
    const { token, keys } = await dpopToken();
    const ownJwk = await exportJWK(keys.publicKey);
    const other = await generateKeyPair('ES256');
    const cases: [string, string][] = [
      ['another key', await proof(other.privateKey, await exportJWK(other.publicKey), { ath: ath(token) })],
      ['another URL', await proof(keys.privateKey, ownJwk, { ath: ath(token), htu: `${s.url}/token` })],
      ['another method', await proof(keys.privateKey, ownJwk, { ath: ath(token), htm: 'GET' })],
      ['another token', await proof(keys.privateKey, ownJwk, { ath: ath(`${token}x`) })],
    ];
    for (const [name, p] of cases) {
      const res = await post({ authorization: `DPoP ${token}`, dpop: p });
      const body = (await res.json()) as { error: string; error_description: string };
      assert.equal(res.status, 401, name);
      assert.equal(body.error, 'invalid_dpop_proof', name);
      assert.match(body.error_description, /DPoP proof does not match/, name);
    }
    const good = await proof(keys.privateKey, ownJwk, { ath: ath(token) });
    assert.equal((await post({ authorization: `DPoP ${token}`, dpop: good })).status, 201, 'the right proof works');
    const replay = await post({ authorization: `DPoP ${token}`, dpop: good });
    assert.equal(replay.status, 401, 'a proof is good once');
    assert.match(((await replay.json()) as { error_description: string }).error_description, /used before/);
  });

  describe('an mTLS-bound EHR token (certificate from a trusted proxy)', () => {
    const cert = (pem: string) => ({ 'x-ssl-client-cert': encodeURIComponent(pem) });
    let token: string;
    before(async () => {
      const res = await fetch(`${s.url}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...cert(pki.client.cert) },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'ehr-mtls' }),
      });
      const text = await res.text();
      assert.equal(res.status, 200, `${res.status} ${text}`);
      const body = JSON.parse(text) as { access_token: string };
      token = body.access_token;
    });

    it('OIDC-9, EP-2: with the bound certificate it gets a launch value', async () => {
      const res = await post({ authorization: `Bearer ${token}`, ...cert(pki.client.cert) });
      assert.equal(res.status, 201, await res.clone().text());
    });

    it('EP-2: without a certificate, or with another trusted one, it is refused', async () => {
      for (const headers of [{}, cert(pki.stranger.cert)]) {
        const res = await post({ authorization: `Bearer ${token}`, ...headers });
        assert.equal(res.status, 401);
        const body = (await res.json()) as { error: string; error_description: string };
        assert.equal(body.error, 'invalid_token');
        assert.match(body.error_description, /client certificate/);
      }
    });
  });
});
