// EP-1: JARM (signed authorization responses) for a client that registers for it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { PASSWORDS, REDIRECT } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, decodeHeader, relyingParty, type TestClient } from '../helpers/rp.js';

const jarmClient: TestClient = {
  metadata: {
    client_id: 'jarm-app',
    classification: 'PUBLIC',
    token_endpoint_auth_method: 'none',
    response_types: ['code'],
    grant_types: ['authorization_code'],
    redirect_uris: [REDIRECT],
    authorization_signed_response_alg: 'ES256',
  },
  auth: oidc.None(),
};

describe('JARM', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [jarmClient.metadata] });
  });
  after(() => running.close());

  it('EP-1: the authorization response is a signed JWT the relying party verifies', async () => {
    const rp = await relyingParty(running.url, jarmClient);
    oidc.useJwtResponseMode(rp);
    const pending = await authorizationRequest(rp, { response_mode: 'jwt' });
    const arrival = await new Person(running.url).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const response = arrival.url.searchParams.get('response') ?? '';
    assert.equal(arrival.url.searchParams.get('code'), null, 'the code travels only inside the signed response');
    assert.equal(decodeHeader(response).alg, 'ES256', 'TOK-9');
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    assert.ok(tokens.access_token);
  });

  it('TOK-9: a client asking for JARM signed with HS256 is refused at start-up', async () => {
    await assert.rejects(startIdp({ clients: [{ ...jarmClient.metadata, authorization_signed_response_alg: 'HS256' }] }), (err: { problems?: { rule?: string }[] }) => err.problems?.[0]?.rule === 'TOK-9');
  });
});
