// Tokens: single-use codes, lifetimes and their caps, refresh rotation, formats and
// front-channel claim minimisation — each rule tried and shown to hold.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { compactDecrypt, exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { allClients, spa, web } from '../helpers/clients.js';
import { API, PASSWORDS, REDIRECT, TEST_APIS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, decodeJwt, relyingParty, type TestClient } from '../helpers/rp.js';

const encryptionKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PII_API = 'https://api.test/pii';
const clientEncryptionKeys = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
const encrypting: TestClient = {
  ...web,
  metadata: {
    ...web.metadata,
    client_id: 'web-encrypting',
    jwks: { keys: [{ ...(await exportJWK(clientEncryptionKeys.publicKey)), use: 'enc', alg: 'ECDH-ES', kid: 'enc-1' }] },
    id_token_encrypted_response_alg: 'ECDH-ES',
    id_token_encrypted_response_enc: 'A256GCM',
  },
};

describe('tokens and lifetimes', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({
      clients: [...allClients, encrypting.metadata],
      lifetimes: { refreshToken: 4 },
      resourceServers: [
        ...TEST_APIS.map((api) => (api.identifier === API.inConfidence ? { ...api, accessTokenTTL: 7200 } : api)),
        {
          identifier: PII_API,
          classification: 'IN-CONFIDENCE',
          scopes: { 'pii.read': 'Read your details' },
          encrypt: { jwk: await exportJWK(encryptionKeys.publicKey), alg: 'ECDH-ES', enc: 'A256GCM' },
        },
      ],
    });
  });
  after(() => running.close());

  /** Sign alice in and return the callback input, without redeeming the code. */
  async function authorize(client: TestClient, params: Record<string, string> = {}) {
    const rp = await relyingParty(running.url, client);
    const pending = await authorizationRequest(rp, client.hybrid ? { response_mode: 'form_post', ...params } : params);
    const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    return { rp, pending, arrival };
  }

  async function tokenRequest(body: Record<string, string>) {
    const res = await fetch(new URL('/token', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function introspect(token: string) {
    const rp = await relyingParty(running.url, web);
    return oidc.tokenIntrospection(rp, token);
  }

  it('TOK-1: a reused code is refused and the grant it came from is revoked', async () => {
    const { rp, pending, arrival } = await authorize(web, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    assert.equal((await introspect(tokens.access_token)).active, true);
    const code = arrival.form?.fields.code ?? '';
    const again = await tokenRequest({ grant_type: 'authorization_code', code, code_verifier: pending.verifier, redirect_uri: REDIRECT, client_id: 'web', client_secret: String(web.metadata.client_secret) });
    assert.equal(again.body.error, 'invalid_grant');
    assert.match(String(again.body.error_description), /\(TOK-1\)$/);
    assert.equal((await introspect(tokens.access_token)).active, false, 'the access token of the grant is revoked');
    assert.equal((await introspect(tokens.refresh_token ?? '')).active, false, 'the refresh token of the grant is revoked');
  });

  it('TOK-1: of 20 parallel redemptions of one code exactly one succeeds', async () => {
    const { pending, arrival } = await authorize(spa);
    const code = arrival.url.searchParams.get('code') ?? '';
    const results = await Promise.all(Array.from({ length: 20 }, () => tokenRequest({ grant_type: 'authorization_code', code, code_verifier: pending.verifier, redirect_uri: REDIRECT, client_id: 'spa' })));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.body.error === 'invalid_grant'));
  });

  it('TOK-3: a resource server asking for 2 hours gets the deployment cap instead', async () => {
    const { rp, pending, arrival } = await authorize(web, { resource: API.inConfidence, scope: 'openid clinic.read' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }, { resource: API.inConfidence });
    const at = decodeJwt(tokens.access_token);
    assert.ok(Number(at.exp) - Number(at.iat) <= 600, `lifetime ${Number(at.exp) - Number(at.iat)} s`);
  });

  it('TOK-4: refresh tokens rotate inside an absolute lifetime from the first issue', async () => {
    const { rp, pending, arrival } = await authorize(web, { scope: 'openid offline_access', prompt: 'consent' });
    const first = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    const firstExp = Number((await introspect(first.refresh_token ?? '')).exp);
    await new Promise((r) => setTimeout(r, 1100));
    const second = await oidc.refreshTokenGrant(rp, first.refresh_token ?? '');
    const secondExp = Number((await introspect(second.refresh_token ?? '')).exp);
    assert.ok(Math.abs(secondExp - firstExp) <= 1, `rotation keeps the chain's end (${firstExp} vs ${secondExp})`);
    await new Promise((r) => setTimeout(r, 3500));
    await assert.rejects(oidc.refreshTokenGrant(rp, second.refresh_token ?? ''), (err: { error?: string }) => err.error === 'invalid_grant');
  });

  it('TOK-4: reusing a rotated refresh token revokes the grant', async () => {
    const { rp, pending, arrival } = await authorize(web, { scope: 'openid offline_access', prompt: 'consent' });
    const first = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    const second = await oidc.refreshTokenGrant(rp, first.refresh_token ?? '');
    await assert.rejects(oidc.refreshTokenGrant(rp, first.refresh_token ?? ''), (err: { error?: string }) => err.error === 'invalid_grant');
    await assert.rejects(oidc.refreshTokenGrant(rp, second.refresh_token ?? ''), (err: { error?: string }) => err.error === 'invalid_grant');
  });

  it('TOK-5, GR-7: no refresh token without offline access', async () => {
    const { rp, pending, arrival } = await authorize(web, { scope: 'openid' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    assert.equal(tokens.refresh_token, undefined);
  });

  it('GR-7: a public client asking for offline_access gets no refresh token', async () => {
    const { rp, pending, arrival } = await authorize(spa, { scope: 'openid offline_access', prompt: 'consent' });
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    assert.equal(tokens.refresh_token, undefined);
  });

  it('OIDC-4: the front-channel ID token carries no PII even with a resource parameter', async () => {
    const { arrival } = await authorize(web, { scope: 'openid profile email nhi', resource: API.inConfidence });
    const idToken = decodeJwt(arrival.form?.fields.id_token ?? '');
    for (const claim of ['name', 'given_name', 'family_name', 'birthdate', 'email', 'nhi']) {
      assert.equal(idToken[claim], undefined, `${claim} must not be in the front-channel ID token`);
    }
    assert.equal(idToken.sub, 'acct-alice');
  });

  it('OIDC-3: the claims parameter cannot ask for more than the scopes grant: a request naming identity claims is refused', async () => {
    const { arrival } = await authorize(web, { scope: 'openid', claims: JSON.stringify({ id_token: { nhi: null, email: null }, userinfo: { nhi: null } }) });
    const answer = arrival.form?.fields ?? Object.fromEntries(arrival.url.searchParams);
    assert.equal(answer.error, 'invalid_request');
    assert.match(answer.error_description ?? '', /id_token\.nhi, id_token\.email, userinfo\.nhi.*OIDC-3/);
    assert.equal(answer.code, undefined, 'no code, so no token and no claims');
  });

  it('TOK-8: an ID token from /token carries no PII when it is not encrypted', async () => {
    const { rp, pending, arrival } = await authorize(web, { resource: API.inConfidence, scope: 'openid profile nhi clinic.read' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }, { resource: API.inConfidence });
    const claims = tokens.claims();
    assert.equal(claims?.sub, 'acct-alice');
    for (const claim of ['name', 'birthdate', 'nhi']) assert.equal(claims?.[claim], undefined, claim);
  });

  it('TOK-8: the back-channel ID token holds protocol claims only, whatever the scopes (as the README says)', async () => {
    const { rp, pending, arrival } = await authorize(web, { scope: 'openid profile email nhi' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    const protocol = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'at_hash', 'c_hash', 's_hash', 'auth_time', 'acr', 'amr', 'azp', 'sid', 'jti']);
    assert.deepEqual(Object.keys(tokens.claims() ?? {}).filter((claim) => !protocol.has(claim)), []);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice');
    assert.equal(userinfo.nhi, 'ZZZ0016', 'the claims are at /userinfo');
  });

  it('TOK-8: a client that registers ID-token encryption gets a JWE ID token with its claims', async () => {
    const { rp, pending, arrival } = await authorize(encrypting, { resource: API.inConfidence, scope: 'openid profile nhi clinic.read' });
    oidc.enableDecryptingResponses(rp, ['A256GCM'], { key: clientEncryptionKeys.privateKey, alg: 'ECDH-ES', kid: 'enc-1' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }, { resource: API.inConfidence });
    assert.equal(tokens.id_token?.split('.').length, 5, 'a compact JWE');
    assert.equal(tokens.claims()?.nhi, 'ZZZ0016');
  });

  it('TOK-8: tokens for an API whose tokens carry PII are encrypted (JWE) to the API', async () => {
    const { rp, pending, arrival } = await authorize(web, { resource: PII_API, scope: 'openid pii.read' });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }, { resource: PII_API });
    assert.equal(tokens.access_token.split('.').length, 5, 'a compact JWE');
    const { plaintext } = await compactDecrypt(tokens.access_token, encryptionKeys.privateKey);
    const inner = Buffer.from(plaintext).toString('utf8');
    assert.equal(decodeJwt(inner).aud, PII_API);
  });
});
