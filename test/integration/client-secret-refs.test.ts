// Issue 11 item 2: a client secret named by `{ "file": … }` or `{ "env": … }` resolves like
// every other secret, and the client then authenticates at /token with it.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { API } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { decodeJwt, relyingParty, type TestClient } from '../helpers/rp.js';

const FILE_SECRET = 'lab-system-secret-from-a-file-0123456789abcdef';
const ENV_SECRET = 'pharmacy-secret-from-the-environment-9876543210';

function serviceClient(clientId: string, secret: string): TestClient {
  return {
    metadata: {
      client_id: clientId,
      classification: 'IN-CONFIDENCE',
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
    auth: oidc.ClientSecretPost(secret),
  };
}

describe('client secrets from a file or the environment', () => {
  let running: RunningIdp;
  const dir = mkdtempSync(join(tmpdir(), 'idp-client-secret-'));
  const secretFile = join(dir, 'lab-secret');
  before(async () => {
    writeFileSync(secretFile, `${FILE_SECRET}\n`);
    running = await startIdp(
      {
        clients: [
          { ...serviceClient('lab', FILE_SECRET).metadata, client_secret: { file: secretFile } },
          { ...serviceClient('pharmacy', ENV_SECRET).metadata, client_secret: { env: 'PHARMACY_CLIENT_SECRET' } },
        ],
      },
      {},
      'http',
      { PHARMACY_CLIENT_SECRET: ENV_SECRET },
    );
  });
  after(() => running.close());

  for (const [clientId, secret] of [['lab', FILE_SECRET], ['pharmacy', ENV_SECRET]] as const) {
    it(`EP-2: ${clientId} authenticates at /token with the secret its entry names`, async () => {
      const rp = await relyingParty(running.url, serviceClient(clientId, secret));
      const tokens = await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence, scope: 'clinic.read' });
      assert.equal(decodeJwt(tokens.access_token).client_id, clientId);
    });
  }

  it('EP-2: a wrong secret is still refused', async () => {
    const rp = await relyingParty(running.url, serviceClient('lab', ENV_SECRET));
    await assert.rejects(oidc.clientCredentialsGrant(rp, { resource: API.inConfidence }), (err: { error?: string }) => err.error === 'invalid_client');
  });
});
