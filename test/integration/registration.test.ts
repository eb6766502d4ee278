// EP-10: dynamic registration, when a deployment turns it on, checks every registration
// against its classification profile and answers invalid_client_metadata naming the rule.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startIdp, type RunningIdp } from '../helpers/idp.js';

describe('dynamic client registration', () => {
  let running: RunningIdp;
  let iat: string;
  before(async () => {
    running = await startIdp({ features: { registration: true } });
    iat = await new running.idp.provider.InitialAccessToken({}).save();
  });
  after(() => running.close());

  async function register(metadata: Record<string, unknown>, token = iat) {
    const res = await fetch(new URL('/register', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(metadata),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  const good = {
    classification: 'IN-CONFIDENCE',
    token_endpoint_auth_method: 'client_secret_post',
    response_types: ['code id_token'],
    grant_types: ['authorization_code', 'implicit'],
    redirect_uris: ['https://rp.example/cb'],
  };

  it('registers a client that fits its profile', async () => {
    const r = await register(good);
    assert.equal(r.status, 201);
    assert.equal(r.body.classification, 'IN-CONFIDENCE');
    assert.ok(r.body.client_secret);
  });

  it('requires an initial access token', async () => {
    const r = await register(good, 'not-a-token');
    assert.equal(r.status, 401);
  });

  it('GR-2: refuses a registration without a classification', async () => {
    const r = await register({ ...good, classification: undefined });
    assert.equal(r.body.error, 'invalid_client_metadata');
    assert.match(String(r.body.error_description), /GR-2/);
  });

  it('EP-2: refuses a SENSITIVE client with client_secret_post', async () => {
    const r = await register({ ...good, classification: 'SENSITIVE', dpop_bound_access_tokens: true });
    assert.equal(r.body.error, 'invalid_client_metadata');
    assert.match(String(r.body.error_description), /token_endpoint_auth_method.*EP-2/);
  });

  it('GR-4: refuses response type token', async () => {
    const r = await register({ ...good, response_types: ['code token'] });
    assert.equal(r.body.error, 'invalid_client_metadata');
    assert.match(String(r.body.error_description), /GR-4/);
  });

  it('GR-6: refuses client_credentials for a public client', async () => {
    const r = await register({ classification: 'PUBLIC', token_endpoint_auth_method: 'none', grant_types: ['client_credentials'], response_types: [] });
    assert.equal(r.body.error, 'invalid_client_metadata');
    assert.match(String(r.body.error_description), /GR-6/);
  });
});
