// OIDC-9, EP-2: a backend service's keys at a jwks_uri. The IdP fetches them with a time
// limit (the library's own, 2.5 s for the whole response) and a size limit (ours: the
// library sets none for jwks_uri), so a key server that is slow or sends megabytes costs
// the token endpoint one clear invalid_client answer, never a hang or a crash.
// The key server runs on this machine over https, which development mode lets the IdP
// call with `ciba.loopbackCaFile` (the library otherwise refuses loopback addresses).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { hasOpenssl, makePki, type TestPki } from '../helpers/certs.js';
import { freePort } from '../helpers/idp.js';
import { smartClients, startSmartIdp, type SmartIdp } from '../helpers/smart.js';
import { JWKS_URI_MAX_BYTES } from '../../src/provider/fetch-limits.js';

const ci = process.env.CI === 'true';
const skip = !hasOpenssl() && !ci ? 'openssl missing: apt-get install -y openssl' : false;

describe('jwks_uri limits (OIDC-9, EP-2)', { skip }, () => {
  let pki: TestPki;
  let keys: Server;
  let base: string;
  let s: SmartIdp;
  let privateKey: CryptoKey;
  let publicJwk: JWK;
  /** what the key server does for each client's path */
  const behaviours: Record<string, (res: ServerResponse) => void> = {};
  const services = ['good', 'huge', 'huge-chunked', 'slow', 'broken'];
  /** requests the key server got, per path */
  const hits: Record<string, number> = {};

  before(async () => {
    pki = makePki();
    const pair = await generateKeyPair('ES384', { extractable: true });
    privateKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), alg: 'ES384', use: 'sig', kid: 'svc-1' };
    const jwks = JSON.stringify({ keys: [publicJwk] });
    // Valid JSON, over the limit: the same key followed by many padding keys.
    const huge = JSON.stringify({ keys: [publicJwk, ...Array.from({ length: 4000 }, (_, i) => ({ ...publicJwk, kid: `pad-${i}` }))] });
    assert.ok(huge.length > JWKS_URI_MAX_BYTES);
    behaviours.good = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    behaviours.huge = (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(huge) }).end(huge);
    // No content-length: the limit must be counted while reading.
    behaviours['huge-chunked'] = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < huge.length; i += 16 * 1024) res.write(huge.slice(i, i + 16 * 1024));
      res.end();
    };
    // Headers at once, the body never finishes.
    behaviours.slow = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
      setTimeout(() => res.end(`${JSON.stringify(publicJwk)}]}`), 8000).unref();
    };
    keys = createServer({ key: pki.server.key, cert: pki.server.cert }, (req, res) => {
      hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
      const behave = behaviours[(req.url ?? '').slice(1)];
      if (behave) behave(res);
      else res.writeHead(404).end();
    });
    const port = await freePort();
    keys.listen(port, '127.0.0.1');
    await once(keys, 'listening');
    base = `https://127.0.0.1:${port}`;
    const clients = await smartClients();
    s = await startSmartIdp(() => ({
      ciba: { loopbackCaFile: pki.ca.certFile },
      clients: [
        ...clients,
        ...services.map((name) => ({
          client_id: `svc-${name}`,
          client_name: `Service ${name}`,
          classification: 'IN-CONFIDENCE' as const,
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'ES384',
          jwks_uri: `${base}/${name}`,
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
        })),
      ],
    }));
  });
  after(async () => {
    keys?.closeAllConnections();
    keys?.close();
    await s?.close();
  });

  async function token(name: string): Promise<{ status: number; body: { error?: string; error_description?: string; scope?: string }; ms: number }> {
    const clientId = `svc-${name}`;
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES384', kid: 'svc-1' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(s.url)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(privateKey);
    const started = Date.now();
    const res = await fetch(`${s.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'system/Observation.rs', client_id: clientId, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
    });
    return { status: res.status, body: (await res.json()) as { error?: string }, ms: Date.now() - started };
  }

  it('OIDC-9: keys at a jwks_uri on a well-behaved key server work (so the refusals below are the limits)', async () => {
    const r = await token('good');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.scope, 'system/Observation.rs');
  });

  for (const name of ['huge', 'huge-chunked']) {
    it(`EP-2: an oversized JWKS (${name === 'huge' ? 'announced by content-length' : 'chunked, no length'}) is invalid_client saying the key set could not be read`, async () => {
      const r = await token(name);
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.equal(r.body.error, 'invalid_client');
      assert.match(String(r.body.error_description), /jwks_uri/);
      assert.match(String(r.body.error_description), /larger than 64 KiB/);
    });
  }

  it('EP-2: a key server that never finishes is invalid_client within the time limit', async () => {
    const r = await token('slow');
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_client');
    assert.match(String(r.body.error_description), /jwks_uri .*within 2\.5 s/);
    assert.ok(r.ms < 6000, `answered in ${r.ms} ms`);
  });

  it('EP-2: a key server answering 404 is refused the same way twice, but asked once: the failure is remembered for 30 s', async () => {
    const said: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await token('broken');
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.match(String(r.body.error_description), /jwks_uri could not be read/);
      said.push(String(r.body.error_description));
    }
    assert.equal(said[1], said[0], 'the remembered failure reads the same');
    assert.equal(hits['/broken'], 1, 'one fetch for two token requests');
  });

  it('the IdP is still up and still serves the well-behaved service afterwards', async () => {
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    assert.equal((await token('good')).status, 200);
  });
});
