// TOK-6, EP-5 (RFC 7662 §4): /introspect answers `active: true` only to the client the
// token was issued to, or to the API the token is for (the client its resourceServers[]
// entry names in introspectionClientId). Every other client — whatever its class — gets
// `active: false` and learns nothing about the token.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { sensitive, service } from '../helpers/clients.js';
import { TEST_APIS } from '../helpers/fixtures.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { configFrom, startIdp, testRawConfig, type RunningIdp } from '../helpers/idp.js';
import { relyingParty, type TestClient } from '../helpers/rp.js';

const RECORDS_API = 'https://api.test/records';
const NOTES_API = 'https://api.test/notes';
const apis = [
  ...TEST_APIS,
  { identifier: RECORDS_API, classification: 'SENSITIVE' as const, scopes: { 'system/Observation.rs': 'Read observations' }, accessTokenFormat: 'opaque' as const, introspectionClientId: 'records-gateway' },
  { identifier: NOTES_API, classification: 'IN-CONFIDENCE' as const, scopes: { 'notes.read': 'Read notes' }, accessTokenFormat: 'opaque' as const },
];

const KIOSK_SECRET = 'kiosk-client-secret-long-enough-0123456789abcdef';
// A PUBLIC-class client that is nonetheless confidential (it has a secret).
const kiosk: TestClient = {
  metadata: {
    client_id: 'kiosk',
    classification: 'PUBLIC',
    client_secret: KIOSK_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  auth: oidc.ClientSecretPost(KIOSK_SECRET),
};

// The records API itself, authenticating as a SENSITIVE client to read its tokens.
const gatewayKeys = await generateKeyPair('ES256', { extractable: true });
const gateway: TestClient = {
  metadata: {
    client_id: 'records-gateway',
    classification: 'SENSITIVE',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [{ ...(await exportJWK(gatewayKeys.publicKey)), alg: 'ES256', use: 'sig', kid: 'gw-1' }] },
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    dpop_bound_access_tokens: true,
  },
  auth: oidc.PrivateKeyJwt(gatewayKeys.privateKey),
};

describe('introspection answers only those entitled (TOK-6, EP-5)', () => {
  let running: RunningIdp;
  let recordsToken: string;
  let notesToken: string;
  before(async () => {
    running = await startIdp({ resourceServers: apis, clients: [sensitive.metadata, service.metadata, kiosk.metadata, gateway.metadata] });
    const rp = await relyingParty(running.url, sensitive);
    const dpop = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    recordsToken = (await oidc.clientCredentialsGrant(rp, { resource: RECORDS_API, scope: 'system/Observation.rs' }, { DPoP: dpop })).access_token;
    notesToken = (await oidc.clientCredentialsGrant(await relyingParty(running.url, service), { resource: NOTES_API, scope: 'notes.read' })).access_token;
  });
  after(() => running.close());

  async function introspect(client: TestClient, token: string) {
    return oidc.tokenIntrospection(await relyingParty(running.url, client), token);
  }

  it('TOK-6, EP-5: a PUBLIC-class confidential client introspecting a SENSITIVE client\'s token gets active:false', async () => {
    const info = await introspect(kiosk, recordsToken);
    assert.deepEqual(info, { active: false }, 'nothing about the token: no sub, scope, client_id or cnf');
  });

  it('TOK-6, EP-5: another confidential client of a higher class gets active:false too', async () => {
    assert.deepEqual(await introspect(service, recordsToken), { active: false });
  });

  it('TOK-6, EP-5: the client the token was issued to gets active:true', async () => {
    const info = await introspect(sensitive, recordsToken);
    assert.equal(info.active, true);
    assert.equal(info.client_id, 'records');
    assert.equal(info.scope, 'system/Observation.rs');
  });

  it('TOK-6, EP-5: the API the token is for (its introspectionClientId) gets active:true', async () => {
    const info = await introspect(gateway, recordsToken);
    assert.equal(info.active, true);
    assert.equal(info.aud, RECORDS_API);
    assert.ok((info.cnf as { jkt?: string } | undefined)?.jkt, 'the binding, for the API to check the DPoP proof');
  });

  it('TOK-6, EP-5: an API\'s client cannot read tokens meant for another API', async () => {
    assert.deepEqual(await introspect(gateway, notesToken), { active: false });
    assert.equal((await introspect(service, notesToken)).active, true, 'while its own client can');
  });
});

describe('an API\'s introspection client is checked at start-up', () => {
  const problemsFor = (introspectionClientId: string) =>
    checkDeployment(configFrom(testRawConfig('http://127.0.0.1:1', { resourceServers: [{ ...apis[3], introspectionClientId } as (typeof apis)[number]], clients: [sensitive.metadata, service.metadata, kiosk.metadata] }))).problems;

  it('EP-5: it must be a client in clients[]', () => {
    assert.match(JSON.stringify(problemsFor('nobody')), /resourceServers\[0\]\.introspectionClientId.*not a client in clients\[\].*EP-5/);
  });

  it('GR-2: it must be classified as high as the API', () => {
    assert.match(JSON.stringify(problemsFor('kiosk')), /resourceServers\[0\]\.introspectionClientId.*SENSITIVE or above.*GR-2/);
    assert.deepEqual(problemsFor('records'), []);
  });
});
