// TOK-4: a refresh that fails (after the library has rotated the token) does not use up
// the refresh token: the next valid refresh succeeds instead of revoking the grant.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { spa, web } from '../helpers/clients.js';
import { API, PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, relyingParty } from '../helpers/rp.js';

describe('a failed refresh', () => {
  let running: RunningIdp;
  let rp: oidc.Configuration;
  before(async () => {
    running = await startIdp({ clients: [web.metadata, spa.metadata] });
    rp = await relyingParty(running.url, web);
  });
  after(() => running.close());

  async function refreshToken(): Promise<string> {
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope: 'openid offline_access clinic.read', prompt: 'consent', resource: API.inConfidence });
    const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }, { resource: API.inConfidence });
    assert.ok(tokens.refresh_token);
    return tokens.refresh_token;
  }

  async function refreshRefused(token: string, resource: string, description?: RegExp) {
    await assert.rejects(oidc.refreshTokenGrant(rp, token, { resource }), (err: { error?: string; error_description?: string }) => {
      assert.equal(err.error, 'invalid_target');
      if (description) assert.match(String(err.error_description), description);
      return true;
    });
  }

  it('TOK-4: after a refresh for an unknown resource, the same refresh token still works once', async () => {
    const token = await refreshToken();
    await refreshRefused(token, 'https://unknown.example/api');
    const refreshed = await oidc.refreshTokenGrant(rp, token, { resource: API.inConfidence });
    assert.ok(refreshed.access_token);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== token, 'rotated as usual');
    // And the rotation rule still holds: the old one, now used, revokes the grant (TOK-4).
    await assert.rejects(oidc.refreshTokenGrant(rp, token, { resource: API.inConfidence }), (err: { error?: string }) => err.error === 'invalid_grant');
    await assert.rejects(oidc.refreshTokenGrant(rp, refreshed.refresh_token, { resource: API.inConfidence }), (err: { error?: string }) => err.error === 'invalid_grant');
  });

  it('TOK-4: after a refresh for an API outside the grant, the refresh token still works', async () => {
    const token = await refreshToken();
    await refreshRefused(token, API.sensitive);
    const refreshed = await oidc.refreshTokenGrant(rp, token, { resource: API.inConfidence });
    assert.ok(refreshed.access_token);
  });
});

describe('refusals name the rule they enforce', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [spa.metadata] });
  });
  after(() => running.close());

  it('GR-3: a PUBLIC client asking for an IN-CONFIDENCE API is refused naming GR-3 (public clients only for PUBLIC APIs)', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { resource: API.inConfidence, scope: 'openid clinic.read' });
    const res = await fetch(pending.url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.searchParams.get('error'), 'invalid_target');
    assert.match(back.searchParams.get('error_description') ?? '', /\(GR-3\)$/);
  });
});
