// The core IdP driven by a real relying party (openid-client) over HTTP, with a person
// submitting the login and consent forms.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { service, spa, staticClients, web } from '../helpers/clients.js';
import { API, PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, decodeHeader, decodeJwt, relyingParty } from '../helpers/rp.js';

describe('core flow with a real relying party', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: staticClients });
  });
  after(() => running.close());

  async function signIn(client = web, params: Record<string, string> = {}, consent: 'approve' | 'deny' = 'approve') {
    const rp = await relyingParty(running.url, client);
    const pending = await authorizationRequest(rp, client.hybrid ? { response_mode: 'form_post', ...params } : params);
    const person = new Person(running.url);
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice, consent });
    return { rp, pending, arrival, person };
  }

  it('hybrid code id_token + PKCE for a confidential client: tokens, userinfo, refresh, introspect, revoke', async () => {
    const { rp, pending, arrival } = await signIn(web, { scope: 'openid profile email offline_access', prompt: 'consent' });
    assert.ok(arrival.form, 'a form_post response');
    const frontIdToken = decodeJwt(arrival.form.fields.id_token ?? '');
    // OIDC-4: the front-channel ID token carries no identity claims.
    assert.equal(frontIdToken.name, undefined);
    assert.equal(frontIdToken.email, undefined);
    // OIDC-2: c_hash and s_hash in the hybrid response.
    assert.ok(frontIdToken.c_hash, 'c_hash');
    assert.ok(frontIdToken.s_hash, 's_hash');

    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims?.sub, 'acct-alice');
    // OIDC-3: with an access token issued, identity claims come from /userinfo only.
    assert.equal(claims?.name, undefined);
    assert.ok(['ES256', 'PS256'].includes(String(decodeHeader(tokens.id_token ?? '').alg)), 'TOK-9: approved algorithm');
    assert.ok(tokens.refresh_token, 'TOK-5: offline access gives a refresh token');
    assert.ok((tokens.expires_in ?? 0) <= 600, 'TOK-3: access token ≤ 10 minutes by default');

    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice');
    assert.equal(userinfo.email, 'alice@example.org');
    assert.equal(userinfo.birthdate, '1985-04-12');
    assert.equal(userinfo.nhi, undefined, 'OIDC-3: nhi was not asked for');

    const introspected = await oidc.tokenIntrospection(rp, tokens.access_token);
    assert.equal(introspected.active, true, 'TOK-6: opaque access tokens are introspectable');
    assert.equal(introspected.sub, 'acct-alice');

    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '');
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token, 'TOK-4: refresh tokens rotate');

    await oidc.tokenRevocation(rp, refreshed.refresh_token ?? '');
    await assert.rejects(oidc.refreshTokenGrant(rp, refreshed.refresh_token ?? ''), (err: { error?: string }) => err.error === 'invalid_grant');
  });

  it('code + PKCE for a public client, with a JWT access token for a PUBLIC API', async () => {
    const { rp, pending, arrival } = await signIn(spa, { resource: API.public, scope: 'openid public.read' });
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
    }, { resource: API.public });
    assert.equal(tokens.refresh_token, undefined, 'GR-7: no refresh token for a public client');
    const header = decodeHeader(tokens.access_token);
    const at = decodeJwt(tokens.access_token);
    assert.equal(header.typ, 'at+jwt', 'TOK-7: RFC 9068 access token');
    assert.equal(header.alg, 'ES256');
    assert.equal(at.aud, API.public);
    assert.equal(at.client_id, 'spa');
    assert.equal(at.scope, 'public.read');
    assert.ok(at.jti);
  });

  it('the deny button returns access_denied to the client (OIDC-7)', async () => {
    const { arrival } = await signIn(spa, {}, 'deny');
    assert.equal(arrival.url.searchParams.get('error'), 'access_denied');
  });

  it('client_credentials for a confidential client', async () => {
    const rp = await relyingParty(running.url, service);
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence, scope: 'clinic.read' });
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, API.inConfidence);
    assert.equal(at.client_id, 'service');
    assert.ok((tokens.expires_in ?? 0) < 3600, 'TOK-3');
  });

  it('a wrong password shows the login page again with one message, and no enumeration', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp);
    const person = new Person(running.url);
    await person.visit(pending.url);
    await person.submit('/login', { username: 'alice', password: 'wrong' });
    const wrongPassword = person.lastPage.match(/role="alert"[^>]*>([^<]*)</)?.[1];
    await person.submit('/login', { username: 'nobody', password: 'wrong' });
    const unknownUser = person.lastPage.match(/role="alert"[^>]*>([^<]*)</)?.[1];
    assert.ok(wrongPassword);
    assert.equal(wrongPassword, unknownUser);
    assert.equal(person.lastStatus, 401);
  });

  it('a login form without its CSRF token is refused with a readable page', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp);
    const person = new Person(running.url);
    await person.visit(pending.url);
    person.cookies.delete('idp.csrf');
    person.cookies.delete('idp.csrf.sig');
    await person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    assert.equal(person.lastStatus, 403);
    assert.match(person.lastPage, /<h1>The form could not be used<\/h1>/);
    assert.doesNotMatch(person.lastPage, /at .*\.ts:\d+/, 'no stack trace');
  });
});
