// EP-2 (RFC 9449): DPoP-bound tokens of a SENSITIVE client are useless without a proof
// from the bound key, for the right method and URL, used once.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { sensitive, service, SERVICE_SECRET } from '../helpers/clients.js';
import { API, PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { callbackInput, pushedAuthorizationRequest, relyingParty } from '../helpers/rp.js';

interface Proofer {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function proofer(): Promise<Proofer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { privateKey, jwk: await exportJWK(publicKey) };
}

function proof(key: Proofer, htm: string, htu: string, accessToken: string, jti = randomUUID()): Promise<string> {
  return new SignJWT({ htm, htu, jti, ath: createHash('sha256').update(accessToken).digest('base64url') })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
    .setIssuedAt()
    .sign(key.privateKey);
}

describe('DPoP-bound tokens', () => {
  let running: RunningIdp;
  let accessToken: string;
  let bound: Proofer;
  let userinfo: string;
  let rp: oidc.Configuration;

  before(async () => {
    running = await startIdp({ clients: [sensitive.metadata] });
    userinfo = `${running.url}/userinfo`;
    rp = await relyingParty(running.url, sensitive);
    bound = await proofer();
    const dpop = oidc.getDPoPHandle(rp, { privateKey: bound.privateKey, publicKey: await crypto.subtle.importKey('jwk', bound.jwk, { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify']) });
    const { url, verifier, state, nonce } = await pushedAuthorizationRequest(rp, { response_mode: 'form_post' }, dpop);
    const arrival = await new Person(running.url).signIn(url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, undefined, { DPoP: dpop });
    accessToken = tokens.access_token;
  });
  after(() => running.close());

  async function callUserinfo(headers: Record<string, string>) {
    const res = await fetch(userinfo, { headers });
    return { status: res.status, wwwAuthenticate: res.headers.get('www-authenticate') ?? '', body: await res.text() };
  }

  it('EP-2: with a fresh proof from the bound key, userinfo answers', async () => {
    const r = await callUserinfo({ authorization: `DPoP ${accessToken}`, dpop: await proof(bound, 'GET', userinfo, accessToken) });
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { sub: string }).sub, 'acct-alice');
  });

  it('EP-2: the bound token presented as a bearer token is refused', async () => {
    const r = await callUserinfo({ authorization: `Bearer ${accessToken}` });
    assert.equal(r.status, 401);
  });

  it('EP-2: a proof from another key is refused', async () => {
    const r = await callUserinfo({ authorization: `DPoP ${accessToken}`, dpop: await proof(await proofer(), 'GET', userinfo, accessToken) });
    assert.equal(r.status, 401);
  });

  it('EP-2: a proof for another URL is refused', async () => {
    const r = await callUserinfo({ authorization: `DPoP ${accessToken}`, dpop: await proof(bound, 'GET', `${running.url}/elsewhere`, accessToken) });
    assert.equal(r.status, 401);
  });

  it('EP-2: a proof for another method is refused', async () => {
    const r = await callUserinfo({ authorization: `DPoP ${accessToken}`, dpop: await proof(bound, 'POST', userinfo, accessToken) });
    assert.equal(r.status, 401);
  });

  it('EP-2: a reused proof is refused', async () => {
    const once = await proof(bound, 'GET', userinfo, accessToken);
    assert.equal((await callUserinfo({ authorization: `DPoP ${accessToken}`, dpop: once })).status, 200);
    assert.equal((await callUserinfo({ authorization: `DPoP ${accessToken}`, dpop: once })).status, 401);
  });

  it('EP-2: introspection shows the binding (cnf.jkt)', async () => {
    const info = await oidc.tokenIntrospection(rp, accessToken);
    assert.equal(info.active, true);
    const expected = createHash('sha256').update(JSON.stringify({ crv: bound.jwk.crv, kty: bound.jwk.kty, x: bound.jwk.x, y: bound.jwk.y })).digest('base64url');
    assert.equal((info.cnf as { jkt?: string }).jkt, expected);
  });
});

// EP-2 (RFC 9449 §8): proofs made in advance are worthless when the IdP demands a nonce
// it handed out. SENSITIVE clients always; other classifications by features.dpopNonceFor.
describe('DPoP server nonces', async () => {
  const clientKeys = await generateKeyPair('ES256', { extractable: true });
  const lab = {
    client_id: 'lab-records',
    classification: 'SENSITIVE',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...(await exportJWK(clientKeys.publicKey)), alg: 'ES256', use: 'sig', kid: 'lab-1' }] },
    grant_types: ['client_credentials'],
    response_types: [],
    dpop_bound_access_tokens: true,
  };
  const key = await proofer();

  function tokenProof(htu: string, nonce?: string): Promise<string> {
    return new SignJWT({ htm: 'POST', htu, jti: randomUUID(), ...(nonce ? { nonce } : {}) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
      .setIssuedAt()
      .sign(key.privateKey);
  }

  async function labBody(issuer: string): Promise<Record<string, string>> {
    const assertion = await new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: 'lab-1' })
      .setIssuer('lab-records')
      .setSubject('lab-records')
      .setAudience(issuer)
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(clientKeys.privateKey);
    return { client_id: 'lab-records', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion };
  }

  const serviceBody = { client_id: 'service', client_secret: SERVICE_SECRET };

  async function token(issuer: string, auth: Record<string, string>, dpop: string, resource: string) {
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', dpop },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource, ...auth }),
    });
    return { status: res.status, nonce: res.headers.get('dpop-nonce'), body: (await res.json()) as Record<string, unknown> };
  }

  it('EP-2: a SENSITIVE client\'s proof without a nonce is refused with use_dpop_nonce; with the nonce it gets a bound token', async () => {
    const running = await startIdp({ clients: [lab, service.metadata] });
    try {
      const htu = `${running.url}/token`;
      const first = await token(running.url, await labBody(running.url), await tokenProof(htu), API.sensitive);
      assert.equal(first.status, 400);
      assert.equal(first.body.error, 'use_dpop_nonce');
      assert.match(String(first.body.error_description), /\(EP-2\)$/);
      assert.ok(first.nonce, 'the DPoP-Nonce header hands out a nonce');
      const second = await token(running.url, await labBody(running.url), await tokenProof(htu, first.nonce ?? ''), API.sensitive);
      assert.equal(second.status, 200);
      assert.equal(second.body.token_type, 'DPoP');
    } finally {
      await running.close();
    }
  });

  it('EP-2: an IN-CONFIDENCE client\'s proof without a nonce is accepted by default', async () => {
    const running = await startIdp({ clients: [lab, service.metadata] });
    try {
      const r = await token(running.url, serviceBody, await tokenProof(`${running.url}/token`), API.inConfidence);
      assert.equal(r.status, 200);
      assert.equal(r.body.token_type, 'DPoP');
    } finally {
      await running.close();
    }
  });

  it('EP-2: with IN-CONFIDENCE in features.dpopNonceFor, its proofs need a nonce too', async () => {
    const running = await startIdp({ clients: [lab, service.metadata], features: { dpopNonceFor: ['IN-CONFIDENCE'] } });
    try {
      const r = await token(running.url, serviceBody, await tokenProof(`${running.url}/token`), API.inConfidence);
      assert.equal(r.body.error, 'use_dpop_nonce');
    } finally {
      await running.close();
    }
  });
});
