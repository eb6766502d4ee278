// EP-2: JWT client authentication — approved algorithms only, audience checked, a
// replayed assertion refused, and only short-lived assertions accepted.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { API } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { relyingParty } from '../helpers/rp.js';

const SECRET = 'jwt-client-secret-long-enough-for-hs256-0123456789abcdef';
const keys = await generateKeyPair('ES256', { extractable: true });

const pkjwt = {
  client_id: 'pk-service',
  classification: 'SENSITIVE',
  token_endpoint_auth_method: 'private_key_jwt',
  jwks: { keys: [{ ...(await exportJWK(keys.publicKey)), alg: 'ES256', use: 'sig', kid: 'pk-1' }] },
  grant_types: ['client_credentials'],
  response_types: [],
  dpop_bound_access_tokens: true,
};
const secretJwt = {
  client_id: 'hs-service',
  classification: 'IN-CONFIDENCE',
  token_endpoint_auth_method: 'client_secret_jwt',
  client_secret: SECRET,
  grant_types: ['client_credentials'],
  response_types: [],
};

describe('JWT client authentication', () => {
  let running: RunningIdp;
  let tokenEndpoint: string;
  before(async () => {
    running = await startIdp({ clients: [pkjwt, secretJwt] });
    tokenEndpoint = `${running.url}/token`;
  });
  after(() => running.close());

  async function assertion(over: { aud?: string; exp?: number; jti?: string; alg?: string; key?: CryptoKey | Uint8Array; iss?: string } = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ jti: over.jti ?? randomUUID() })
      .setProtectedHeader({ alg: over.alg ?? 'ES256', kid: 'pk-1' })
      .setIssuer(over.iss ?? 'pk-service')
      .setSubject(over.iss ?? 'pk-service')
      .setAudience(over.aud ?? running.url)
      .setIssuedAt(now)
      .setExpirationTime(over.exp ?? now + 60)
      .sign(over.key ?? keys.privateKey);
  }

  async function token(clientAssertion: string, clientId = 'pk-service') {
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
        resource: API.inConfidence,
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('EP-2: a well-formed private_key_jwt assertion authenticates (tokens DPoP-bound: sent without proof is refused)', async () => {
    const r = await token(await assertion());
    // The client is registered for DPoP-bound tokens, so without a proof it is refused — after authenticating.
    assert.equal(r.body.error, 'invalid_grant');
    assert.match(String(r.body.error_description), /\(EP-2\)$/);
  });

  it('EP-2: the same assertion with a DPoP proof gets a bound token, through openid-client', async () => {
    const rp = await relyingParty(running.url, { metadata: pkjwt, auth: oidc.PrivateKeyJwt(keys.privateKey) });
    const dpop = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence }, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
  });

  it('EP-2: an assertion for another audience is refused', async () => {
    const r = await token(await assertion({ aud: 'https://someone-else.example' }));
    assert.equal(r.body.error, 'invalid_client');
  });

  it('EP-2: an expired assertion is refused', async () => {
    const r = await token(await assertion({ exp: Math.floor(Date.now() / 1000) - 120 }));
    assert.equal(r.body.error, 'invalid_client');
  });

  it('EP-2: an assertion valid for an hour is refused as too long-lived', async () => {
    const r = await token(await assertion({ exp: Math.floor(Date.now() / 1000) + 3600 }));
    assert.equal(r.body.error, 'invalid_client');
  });

  it('EP-2: a replayed assertion is refused', async () => {
    const once = await assertion();
    await token(once);
    const again = await token(once);
    assert.equal(again.body.error, 'invalid_client');
  });

  it('TOK-9: an HMAC-signed assertion is refused for a private_key_jwt client', async () => {
    const r = await token(await assertion({ alg: 'HS256', key: new TextEncoder().encode(SECRET) }));
    assert.equal(r.body.error, 'invalid_client');
  });

  it('EP-2: client_secret_jwt with HS256 works for an IN-CONFIDENCE client', async () => {
    const rp = await relyingParty(running.url, { metadata: secretJwt, auth: oidc.ClientSecretJwt(SECRET) });
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence });
    assert.ok(tokens.access_token);
  });
});
