// Issue 11 item 1: a client whose RFC 7591 `scope` lists an API's scope signs in and gets
// tokens for that API, and discovery publishes API scopes in scopes_supported (OIDC-6).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { tokenPolicies } from '../../src/registration/token.js';
import { PASSWORDS, REDIRECT, TEST_APIS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, decodeJwt, relyingParty, type TestClient } from '../helpers/rp.js';

const RECORDS_API = 'https://api.test/records';
const PORTAL_SECRET = 'portal-client-secret-that-is-long-enough-012345';
const BATCH_SECRET = 'batch-client-secret-that-is-long-enough-6789012';

const portal: TestClient = {
  metadata: {
    client_id: 'portal',
    classification: 'IN-CONFIDENCE',
    client_secret: PORTAL_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    response_types: ['code id_token'],
    grant_types: ['authorization_code'],
    redirect_uris: [REDIRECT],
    scope: 'openid profile records:read',
  },
  auth: oidc.ClientSecretPost(PORTAL_SECRET),
  hybrid: true,
};

const batch: TestClient = {
  metadata: {
    client_id: 'batch',
    classification: 'IN-CONFIDENCE',
    client_secret: BATCH_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'records:read',
  },
  auth: oidc.ClientSecretPost(BATCH_SECRET),
};

describe('API scopes in a client registration (OIDC-6)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({
      resourceServers: [...TEST_APIS, { identifier: RECORDS_API, classification: 'IN-CONFIDENCE', scopes: { 'records:read': 'Read your records', 'records:write': 'Change your records' } }],
      clients: [portal.metadata, batch.metadata],
      features: { registration: true },
    });
  });
  after(() => running.close());

  it('OIDC-6: discovery lists identity and API scopes in scopes_supported', async () => {
    const meta = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as { scopes_supported: string[] };
    for (const scope of ['openid', 'offline_access', 'profile', 'records:read', 'records:write', 'clinic.read', 'patient/Observation.rs']) {
      assert.ok(meta.scopes_supported.includes(scope), scope);
    }
  });

  it('OIDC-6: a client registered with "openid profile records:read" signs in and gets a records:read token', async () => {
    const rp = await relyingParty(running.url, portal);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope: 'openid profile records:read', resource: RECORDS_API });
    const person = new Person(running.url);
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    }, { resource: RECORDS_API });
    const at = decodeJwt(tokens.access_token);
    assert.equal(at.aud, RECORDS_API);
    assert.equal(at.scope, 'records:read');
    assert.equal(tokens.claims()?.sub, 'acct-alice');
  });

  it('OIDC-3: an API scope the client did not register is refused at /authorize', async () => {
    const rp = await relyingParty(running.url, portal);
    const pending = await authorizationRequest(rp, { scope: 'openid records:write', resource: RECORDS_API });
    const person = new Person(running.url);
    const arrival = await person.visit(pending.url);
    assert.ok(arrival, 'the error goes back to the client');
    const params = arrival.form ? new URLSearchParams(arrival.form.fields) : new URLSearchParams(arrival.url.hash.slice(1) || arrival.url.search);
    assert.equal(params.get('error'), 'invalid_scope');
    assert.match(params.get('error_description') ?? '', /records:write/);
  });

  it('OIDC-3: client_credentials gets the registered API scope and never an unregistered one', async () => {
    const rp = await relyingParty(running.url, batch);
    const tokens = await oidc.clientCredentialsGrant(rp, { resource: RECORDS_API, scope: 'records:read records:write' });
    assert.equal(decodeJwt(tokens.access_token).scope, 'records:read');
  });

  it('OIDC-6: /register accepts an API scope in scope, and refuses a scope the deployment does not offer', async () => {
    const iat = await new running.idp.provider.InitialAccessToken({ policies: tokenPolicies({ maxClassification: 'IN-CONFIDENCE' }, true) }).save();
    const register = async (scope: string) => {
      const res = await fetch(new URL('/register', running.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` },
        body: JSON.stringify({ ...batch.metadata, client_id: undefined, client_secret: undefined, scope }),
      });
      return (await res.json()) as Record<string, unknown>;
    };
    const ok = await register('records:read');
    assert.ok(ok.client_id, JSON.stringify(ok));
    const refused = await register('records:read nope:write');
    assert.equal(refused.error, 'invalid_client_metadata');
    assert.match(String(refused.error_description), /nope:write.*OIDC-6/);
  });
});


