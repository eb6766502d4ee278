// Requests that break a client's profile are refused with the standard OAuth error and
// an error_description naming the rule — tried through a real relying party where the
// library lets it, and as raw HTTP where a compliant library would never send them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { allClients, sensitive, service, spa, web } from '../helpers/clients.js';
import { API, PASSWORDS, REDIRECT } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { callbackInput, decodeJwt, pushedAuthorizationRequest, relyingParty } from '../helpers/rp.js';

const S256_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

describe('authorization requests against the profiles', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: allClients });
  });
  after(() => running.close());

  /** GET /authorize without following: the error the client's redirect_uri receives. */
  async function authorize(params: Record<string, string | undefined>) {
    const url = new URL('/authorize', running.url);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    const redirected = location ? new URL(location, running.url) : undefined;
    const out = new URLSearchParams(redirected?.hash ? redirected.hash.slice(1) : redirected?.search);
    return { status: res.status, error: out.get('error'), description: out.get('error_description') ?? '', location: redirected, body: location ? '' : await res.text() };
  }

  const good = (over: Record<string, string | undefined> = {}) => ({
    client_id: 'spa',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: 'openid',
    state: 'st-123',
    nonce: 'n-123',
    code_challenge: S256_CHALLENGE,
    code_challenge_method: 'S256',
    ...over,
  });

  it('a well-formed request goes to the login page', async () => {
    const r = await authorize(good());
    assert.equal(r.status, 303);
    assert.match(r.location?.pathname ?? '', /^\/interaction\//);
  });

  it('GR-8: a code request without PKCE is refused', async () => {
    const r = await authorize(good({ code_challenge: undefined, code_challenge_method: undefined }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /PKCE.*\(GR-8\)/);
  });

  it('GR-8: plain PKCE is refused', async () => {
    const r = await authorize(good({ code_challenge: VERIFIER, code_challenge_method: 'plain' }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /GR-8/);
  });

  it('EP-3: a request without state is refused, naming the rule', async () => {
    const r = await authorize(good({ state: undefined }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /state.*EP-3/);
  });

  it('EP-3: a request without nonce is refused, naming the rule', async () => {
    const r = await authorize(good({ nonce: undefined }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /nonce.*EP-3/);
  });

  it('EP-3: a redirect_uri that is not registered exactly is refused on a page, not redirected', async () => {
    const r = await authorize(good({ redirect_uri: `${REDIRECT}/extra` }));
    assert.equal(r.status, 400);
    assert.equal(r.location, undefined);
    assert.match(r.body, /not registered|redirect/i);
  });

  for (const rt of ['token', 'id_token', 'code token', 'code id_token token', 'id_token token']) {
    it(`GR-4: response_type "${rt}" is refused`, async () => {
      const r = await authorize(good({ response_type: rt }));
      assert.equal(r.error, 'unsupported_response_type');
      assert.match(r.description, /GR-4/);
    });
  }

  it('GR-4: a confidential IN-CONFIDENCE client may not use plain code', async () => {
    const r = await authorize(good({ client_id: 'web', response_type: 'code' }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /response_type.*\(GR-4\)/);
  });

  it('OIDC-1: an IN-CONFIDENCE request without openid is refused', async () => {
    const r = await authorize(good({ client_id: 'web', response_type: 'code id_token', scope: 'profile' }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /openid.*\(OIDC-1\)/);
  });

  it('GR-8: a SENSITIVE client must use PAR', async () => {
    const r = await authorize(good({ client_id: 'records', response_type: 'code id_token' }));
    assert.equal(r.error, 'invalid_request');
    assert.match(r.description, /Pushed.*\(GR-8\)/i);
  });

  it('GR-2, GR-3: a PUBLIC client cannot get a token for an IN-CONFIDENCE API', async () => {
    const r = await authorize(good({ resource: API.inConfidence }));
    assert.equal(r.error, 'invalid_target');
    assert.match(r.description, /\(GR-3\)$/, "public clients only for PUBLIC APIs");
  });

  it('an unregistered client is refused on a readable page (EP-1)', async () => {
    const r = await authorize(good({ client_id: 'nobody' }));
    assert.equal(r.status, 400);
    assert.match(r.body, /<h1>Sign-in problem<\/h1>/);
    assert.doesNotMatch(r.body, /\s+at .+:\d+:\d+/, 'no stack trace');
  });

  it('GR-5: the password grant does not exist', async () => {
    const res = await fetch(new URL('/token', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: 'alice', password: PASSWORDS.alice, client_id: 'web', client_secret: String(web.metadata.client_secret) }),
    });
    const body = (await res.json()) as { error: string };
    assert.equal(body.error, 'unsupported_grant_type');
  });

  it('GR-6: a client not registered for client_credentials cannot use it', async () => {
    const rp = await relyingParty(running.url, web);
    await assert.rejects(oidc.clientCredentialsGrant(rp, { resource: API.inConfidence }), (err: { error?: string; error_description?: string }) => err.error === 'invalid_request' && /GR-1/.test(err.error_description ?? ''));
  });

  it('EP-2, GR-8: the SENSITIVE flow works with PAR, private_key_jwt and DPoP, and binds the tokens', async () => {
    const rp = await relyingParty(running.url, sensitive);
    const dpop = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    const { url, verifier, state, nonce } = await pushedAuthorizationRequest(rp, {
      scope: 'openid patient/Observation.rs offline_access',
      prompt: 'consent',
      resource: API.sensitive,
      response_mode: 'form_post',
    }, dpop);
    const person = new Person(running.url);
    const arrival = await person.signIn(url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, { resource: API.sensitive }, { DPoP: dpop });
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, API.sensitive);
    assert.ok((at.cnf as { jkt?: string } | undefined)?.jkt, 'cnf.jkt binds the token to the DPoP key');
    assert.ok(tokens.refresh_token);
    // A refresh without the DPoP proof is refused.
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? ''), (err: { error?: string }) => typeof err.error === 'string');
    const refreshed = await oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', undefined, { DPoP: dpop });
    assert.ok(refreshed.access_token);
  });

  it('GR-6: client_credentials for a SENSITIVE API needs a SENSITIVE client; an IN-CONFIDENCE one is refused', async () => {
    const rp = await relyingParty(running.url, service);
    await assert.rejects(oidc.clientCredentialsGrant(rp, { resource: API.sensitive }), (err: { error?: string; error_description?: string }) => err.error === 'invalid_target' && /GR-2/.test(err.error_description ?? ''));
  });

  it('discovery offers exactly the agreed response types, grants and PKCE method (EP-10, GR-1)', async () => {
    const meta = (await (await fetch(new URL('/.well-known/openid-configuration', running.url))).json()) as Record<string, unknown>;
    assert.deepEqual(meta.response_types_supported, ['code', 'code id_token']);
    assert.deepEqual(meta.code_challenge_methods_supported, ['S256']);
    assert.ok(!(meta.grant_types_supported as string[]).includes('password'));
    assert.equal(meta.claims_parameter_supported, true, 'OIDC-3: for acr only (second-factors-requests.test.ts)');
    for (const alg of meta.id_token_signing_alg_values_supported as string[]) assert.ok(!/^(none|HS)/.test(alg), `TOK-9: ${alg}`);
    assert.equal(meta.authorization_endpoint, `${running.url}/authorize`);
    assert.equal(meta.revocation_endpoint, `${running.url}/revoke`);
    assert.equal(meta.introspection_endpoint, `${running.url}/introspect`);
    assert.equal(meta.jwks_uri, `${running.url}/jwks`);
    assert.equal(meta.registration_endpoint, undefined, 'registration is off by default');
  });

  it('spa is unaffected by the other clients', async () => {
    const rp = await relyingParty(running.url, spa);
    assert.equal(rp.clientMetadata().client_id, 'spa');
  });
});
