// TOK-9: an API may have its JWT access tokens signed with its own approved algorithm
// (resourceServers[].signingAlg, or algorithms.accessToken for all), not only with the
// ID-token ones. Development mode makes up its signing keys at start-up: it must make one
// for every algorithm the deployment signs with, or that API's tokens cannot be issued.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { decodeProtectedHeader } from 'jose';
import { service } from '../helpers/clients.js';
import { API } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { relyingParty } from '../helpers/rp.js';

const PS_API = 'https://api.test/imaging';

describe('TOK-9: access tokens signed with an API\'s own algorithm, on made-up development keys', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({
      algorithms: { idToken: ['ES256'], accessToken: 'EdDSA' },
      resourceServers: [
        { identifier: API.inConfidence, classification: 'IN-CONFIDENCE', scopes: { 'clinic.read': 'See your clinic visits' } },
        { identifier: PS_API, classification: 'IN-CONFIDENCE', scopes: { 'imaging.read': 'See your scans' }, signingAlg: 'PS256' },
      ],
      clients: [service.metadata],
    });
  });
  after(() => running?.close());

  it('TOK-9: each API\'s token is signed with its algorithm, and the JWKS publishes a key for it', async () => {
    const rp = await relyingParty(running.url, service);
    const clinic = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence, scope: 'clinic.read' });
    const imaging = await oidc.clientCredentialsGrant(rp, { resource: PS_API, scope: 'imaging.read' });
    assert.equal(decodeProtectedHeader(clinic.access_token).alg, 'EdDSA');
    assert.equal(decodeProtectedHeader(imaging.access_token).alg, 'PS256');
    const jwks = (await (await fetch(new URL('/jwks', running.url))).json()) as { keys: { alg?: string }[] };
    for (const alg of ['ES256', 'EdDSA', 'PS256']) assert.ok(jwks.keys.some((k) => k.alg === alg), `a ${alg} key in ${JSON.stringify(jwks.keys.map((k) => k.alg))}`);
  });
});
