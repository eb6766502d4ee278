// EP-2 (RFC 9449): DPoP-bound tokens of a SENSITIVE client are useless without a proof
// from the bound key, for the right method and URL, used once.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import * as oidc from 'openid-client';
import { sensitive } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
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
