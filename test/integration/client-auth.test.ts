// EP-2: JWT client authentication — approved algorithms only, audience checked, a
// replayed assertion refused, and only short-lived assertions accepted; HTTP Basic
// refused. TOK-9: RS256 assertions only with the deployment's opt-in.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { service, SERVICE_SECRET } from '../helpers/clients.js';
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
    running = await startIdp({ clients: [pkjwt, secretJwt, service.metadata] });
    tokenEndpoint = `${running.url}/token`;
  });
  after(() => running.close());

  async function assertion(over: { aud?: string | string[]; exp?: number; jti?: string; alg?: string; key?: CryptoKey | Uint8Array; iss?: string } = {}) {
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

  async function token(clientAssertion: string, clientId = 'pk-service', endpoint = tokenEndpoint) {
    const res = await fetch(endpoint, {
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

  it('EP-2: an assertion valid for an hour is refused as too long-lived, saying so', async () => {
    const r = await token(await assertion({ exp: Math.floor(Date.now() / 1000) + 3600 }));
    assert.equal(r.body.error, 'invalid_client');
    assert.equal(r.body.error_description, 'the client assertion must expire within 300 seconds (EP-2)');
  });

  it('EP-2: a wrong client secret is refused under EP-2 (client authentication), not EP-1, without saying why', async () => {
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'service', client_secret: 'not-the-secret', resource: API.inConfidence }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, 'invalid_client');
    assert.equal(body.error_description, 'client authentication failed (EP-2)');
  });

  it('EP-2: a replayed assertion is refused', async () => {
    const once = await assertion();
    await token(once);
    const again = await token(once);
    assert.equal(again.body.error, 'invalid_client');
  });

  it('TOK-9: an HMAC-signed assertion is refused for a private_key_jwt client, naming the rule and the accepted algorithms', async () => {
    const r = await token(await assertion({ alg: 'HS256', key: new TextEncoder().encode(SECRET) }));
    assert.equal(r.body.error, 'invalid_client');
    assert.match(String(r.body.error_description), /signed with HS256, which is not accepted here; accepted: PS256, .*ES256.* \(TOK-9\)$/);
    assert.doesNotMatch(String(r.body.error_description), /EP-1/);
  });

  it('EP-2: an aud array naming the issuer and someone else is refused', async () => {
    const r = await token(await assertion({ aud: [running.url, 'https://someone-else.example'] }));
    assert.equal(r.status, 401);
    assert.equal(r.body.error, 'invalid_client');
    assert.equal(r.body.error_description, "the client assertion's aud must be a single value: the issuer or the token endpoint URL (EP-2)");
  });

  it('EP-2: an aud naming another endpoint (introspection) is refused there', async () => {
    const introspect = `${running.url}/introspect`;
    const res = await fetch(introspect, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: 'whatever',
        client_id: 'pk-service',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion({ aud: introspect }),
      }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 401);
    assert.match(String(body.error_description), /aud must be a single value.*\(EP-2\)$/);
  });

  it('EP-2: the token endpoint URL as aud is accepted (authenticates, then asks for DPoP)', async () => {
    const r = await token(await assertion({ aud: tokenEndpoint }));
    assert.equal(r.body.error, 'invalid_grant');
  });

  it('EP-2: HTTP Basic (client_secret_basic) is refused for a client_secret_post client, naming its method', async () => {
    const basic = Buffer.from(`${encodeURIComponent('service')}:${encodeURIComponent(SERVICE_SECRET)}`).toString('base64');
    const res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', resource: API.inConfidence }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 401);
    assert.equal(body.error, 'invalid_client');
    assert.equal(body.error_description, 'HTTP Basic client authentication (client_secret_basic) is not approved; use client_secret_post (EP-2)');
    assert.equal(body.access_token, undefined);
  });

  it('EP-2: the same client with client_secret_post is served', async () => {
    const rp = await relyingParty(running.url, service);
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence });
    assert.ok(tokens.access_token);
  });

  it('EP-2: client_secret_jwt with HS256 works for an IN-CONFIDENCE client', async () => {
    const rp = await relyingParty(running.url, { metadata: secretJwt, auth: oidc.ClientSecretJwt(SECRET) });
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence });
    assert.ok(tokens.access_token);
  });
});

// TOK-9: Apache's mod_auth_openidc signs private_key_jwt assertions only with RS256; an
// agency may accept them with algorithms.clientAuthentication, never by default.
describe('RS256 client assertions (algorithms.clientAuthentication)', async () => {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const apache = {
    client_id: 'mod-auth-openidc',
    classification: 'IN-CONFIDENCE',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [{ ...(await exportJWK(rsa.publicKey)), alg: 'RS256', use: 'sig', kid: 'rsa-1' }] },
    grant_types: ['client_credentials'],
    response_types: [],
  };
  const asApache = { metadata: apache, auth: oidc.PrivateKeyJwt(rsa.privateKey) };

  it('TOK-9: without the opt-in an RS256 assertion is refused, naming TOK-9 and the accepted algorithms', async () => {
    const running = await startIdp({ clients: [apache] });
    try {
      const rp = await relyingParty(running.url, asApache);
      await assert.rejects(oidc.clientCredentialsGrant(rp, { resource: API.inConfidence }), (err: unknown) => {
        const e = err as { error?: string; error_description?: string };
        assert.equal(e.error, 'invalid_client');
        assert.match(String(e.error_description), /signed with RS256, which is not accepted here; accepted: PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519 \(TOK-9\)$/);
        return true;
      });
    } finally {
      await running.close();
    }
  });

  it('TOK-9: with RS256 in algorithms.clientAuthentication the same client gets a token', async () => {
    const running = await startIdp({ clients: [apache], algorithms: { clientAuthentication: ['ES256', 'PS256', 'RS256'] } });
    try {
      const rp = await relyingParty(running.url, asApache);
      const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence });
      assert.ok(tokens.access_token);
      const discovery = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
      assert.ok(discovery.token_endpoint_auth_signing_alg_values_supported?.includes('RS256'));
    } finally {
      await running.close();
    }
  });
});
