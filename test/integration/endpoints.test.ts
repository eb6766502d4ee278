// The token-side endpoints: introspection only for authenticated clients (EP-5),
// userinfo only for a valid access token meant for it (EP-6), and userinfo may give
// more than the ID token — the NHI number among them (OIDC-5).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { service, spa, staticClients, web } from '../helpers/clients.js';
import { API, PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, relyingParty } from '../helpers/rp.js';

describe('introspection and userinfo', () => {
  let running: RunningIdp;
  let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
  before(async () => {
    running = await startIdp({ clients: staticClients });
    const rp = await relyingParty(running.url, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope: 'openid profile nhi' });
    const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
  });
  after(() => running.close());

  async function post(path: string, body: Record<string, string>) {
    const res = await fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('EP-5: introspection without client authentication is refused', async () => {
    const r = await post('/introspect', { token: tokens.access_token });
    assert.ok(r.status >= 400);
    assert.notEqual(r.body.active, true);
    assert.ok(r.body.error === 'invalid_request' || r.body.error === 'invalid_client', String(r.body.error));
  });

  it('EP-5: a public client cannot introspect', async () => {
    const r = await post('/introspect', { token: tokens.access_token, client_id: 'spa' });
    assert.notEqual(r.body.active, true);
  });

  it('EP-5: an authenticated confidential client can introspect its own token', async () => {
    const info = await oidc.tokenIntrospection(await relyingParty(running.url, web), tokens.access_token);
    assert.equal(info.active, true);
  });

  it('TOK-6, EP-5: another confidential client learns nothing about it (active:false)', async () => {
    const info = await oidc.tokenIntrospection(await relyingParty(running.url, service), tokens.access_token);
    assert.deepEqual(info, { active: false });
  });

  it('EP-4: revocation needs client authentication for a confidential client', async () => {
    const r = await post('/revoke', { token: tokens.access_token, client_id: 'web' });
    assert.equal(r.body.error, 'invalid_client');
  });

  it('EP-4, TOK-6: another confidential client cannot revoke a token it was not issued, and the token stays active', async () => {
    const other = await relyingParty(running.url, service);
    await assert.rejects(oidc.tokenRevocation(other, tokens.access_token), (e: unknown) => {
      assert.ok(e instanceof oidc.ResponseBodyError, String(e));
      assert.equal(e.error, 'invalid_request');
      assert.match(e.error_description ?? '', /not issued to this client/);
      return true;
    });
    const info = await oidc.tokenIntrospection(await relyingParty(running.url, web), tokens.access_token);
    assert.equal(info.active, true);
  });

  it('EP-4: a public client that presents another client\'s token is answered like a success (no oracle) and revokes nothing', async () => {
    const res = await fetch(`${running.url}/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: tokens.access_token, client_id: 'spa' }) });
    assert.equal(res.status, 200);
    const info = await oidc.tokenIntrospection(await relyingParty(running.url, web), tokens.access_token);
    assert.equal(info.active, true);
  });

  it('OIDC-5: userinfo gives the NHI number the ID token does not carry', async () => {
    assert.equal(tokens.claims()?.nhi, undefined);
    const userinfo = await oidc.fetchUserInfo(await relyingParty(running.url, web), tokens.access_token, 'acct-alice');
    assert.equal(userinfo.nhi, 'ZZZ0016');
  });

  it('EP-6: userinfo refuses a token it did not issue', async () => {
    const res = await fetch(`${running.url}/userinfo`, { headers: { authorization: 'Bearer not-a-real-token' } });
    assert.equal(res.status, 401);
  });

  it('EP-6: userinfo refuses an access token meant for an API (another audience)', async () => {
    const apiTokens = await oidc.clientCredentialsGrant(await relyingParty(running.url, service), { resource: API.inConfidence });
    const res = await fetch(`${running.url}/userinfo`, { headers: { authorization: `Bearer ${apiTokens.access_token}` } });
    assert.equal(res.status, 401);
  });

  it('EP-6: userinfo refuses a revoked token', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp);
    const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const own = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    await oidc.tokenRevocation(rp, own.access_token);
    const res = await fetch(`${running.url}/userinfo`, { headers: { authorization: `Bearer ${own.access_token}` } });
    assert.equal(res.status, 401);
  });
});
