// EP-2 (RFC 8705): mutual-TLS client authentication and certificate-bound access tokens,
// with the IdP terminating TLS itself, and behind a proxy that forwards the certificate.
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportJWK } from 'jose';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { derBase64, labClient, makePki, opensslSkip, type Pem, type TestPki } from '../helpers/certs.js';
import { API, TEST_APIS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { decodeJwt } from '../helpers/rp.js';

const missing = opensslSkip('MTLS SUITE');

const OPAQUE_API = 'https://api.test/opaque';
const apis = [...TEST_APIS, { identifier: OPAQUE_API, classification: 'IN-CONFIDENCE' as const, scopes: { 'lab.write': 'Send lab results' }, accessTokenFormat: 'opaque' as const }];

function thumbprint(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}

describe('mutual TLS', { skip: missing }, () => {
  let pki: TestPki;
  before(() => {
    pki = makePki();
  });

  async function selfSignedClient() {
    const jwk = await exportJWK(createPublicKey(pki.selfSigned.cert));
    return {
      client_id: 'self',
      client_name: 'Self-signed system',
      classification: 'IN-CONFIDENCE',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [{ ...jwk, x5c: [derBase64(pki.selfSigned.cert)] }] },
      grant_types: ['client_credentials'],
      response_types: [],
    };
  }

  describe('the IdP terminates TLS', () => {
    let running: RunningIdp;
    before(async () => {
      running = await startIdp({
        clients: [labClient(), await selfSignedClient()],
        resourceServers: apis,
        tls: { certFile: pki.server.certFile, keyFile: pki.server.keyFile },
        mtls: { enabled: true, caFile: pki.ca.certFile },
      }, {}, 'https');
    });
    after(() => running.close());

    async function rp(clientId: string, cert?: Pem) {
      const dispatcher = new Agent({ connect: { ca: pki.ca.cert, ...(cert ? { cert: cert.cert, key: cert.key } : {}) } });
      const config = await oidc.discovery(new URL(running.url), clientId, undefined, oidc.TlsClientAuth(), {
        [oidc.customFetch]: (url: string, options: oidc.CustomFetchOptions) => undiciFetch(url, { ...options, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>,
      });
      config[oidc.customFetch] = (url: string, options: oidc.CustomFetchOptions) => undiciFetch(url, { ...options, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
      return config;
    }

    it('discovery offers tls_client_auth and certificate-bound tokens', async () => {
      const meta = (await rp('lab')).serverMetadata();
      assert.ok(meta.token_endpoint_auth_methods_supported?.includes('tls_client_auth'));
      assert.ok(meta.token_endpoint_auth_methods_supported?.includes('self_signed_tls_client_auth'));
      assert.equal(meta.tls_client_certificate_bound_access_tokens, true);
    });

    it('EP-2: tls_client_auth with the registered certificate gets a token bound to it (cnf.x5t#S256)', async () => {
      const tokens = await oidc.clientCredentialsGrant(await rp('lab', pki.client), { resource: API.inConfidence });
      const cnf = decodeJwt(tokens.access_token).cnf as Record<string, string>;
      assert.equal(cnf['x5t#S256'], thumbprint(pki.client.cert));
    });

    it('EP-2: introspection of an opaque bound token shows the binding', async () => {
      const config = await rp('lab', pki.client);
      const tokens = await oidc.clientCredentialsGrant(config, { resource: OPAQUE_API });
      const info = await oidc.tokenIntrospection(config, tokens.access_token);
      assert.equal(info.active, true);
      assert.equal((info.cnf as Record<string, string>)['x5t#S256'], thumbprint(pki.client.cert));
    });

    const refused = (err: { error?: string }) => err.error === 'invalid_client';

    it('EP-2: no certificate is refused', async () => {
      await assert.rejects(oidc.clientCredentialsGrant(await rp('lab'), { resource: API.inConfidence }), refused);
    });

    it('EP-2: a certificate from a CA the IdP does not trust is refused, even with the right subject', async () => {
      await assert.rejects(oidc.clientCredentialsGrant(await rp('lab', pki.impostor), { resource: API.inConfidence }), refused);
    });

    it('EP-2: a trusted certificate that does not match the registration is refused', async () => {
      await assert.rejects(oidc.clientCredentialsGrant(await rp('lab', pki.stranger), { resource: API.inConfidence }), refused);
    });

    it('EP-2: self_signed_tls_client_auth with the registered certificate works; another is refused', async () => {
      const tokens = await oidc.clientCredentialsGrant(await rp('self', pki.selfSigned), { resource: API.inConfidence });
      assert.ok(tokens.access_token);
      await assert.rejects(oidc.clientCredentialsGrant(await rp('self', pki.client), { resource: API.inConfidence }), refused);
    });
  });

  describe('behind a TLS-terminating proxy', () => {
    let trustedProxy: RunningIdp;
    let untrustedProxy: RunningIdp;
    before(async () => {
      const common = { clients: [labClient()], resourceServers: apis };
      trustedProxy = await startIdp({ ...common, mtls: { enabled: true, caFile: pki.ca.certFile, proxyHeader: 'x-ssl-client-cert', trustedProxies: ['127.0.0.1'], endpointAliasBase: 'https://mtls.id.test' } });
      // The proxy list names another host: this test's requests come from an untrusted peer.
      untrustedProxy = await startIdp({ ...common, mtls: { enabled: true, caFile: pki.ca.certFile, proxyHeader: 'x-ssl-client-cert', trustedProxies: ['192.0.2.10'] } });
    });
    after(async () => {
      await trustedProxy.close();
      await untrustedProxy.close();
    });

    async function token(running: RunningIdp, cert: string) {
      const res = await fetch(new URL('/token', running.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-ssl-client-cert': encodeURIComponent(cert) },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'lab', resource: API.inConfidence }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }

    it('EP-2: a certificate forwarded by a trusted proxy authenticates the client and binds the token', async () => {
      const r = await token(trustedProxy, pki.client.cert);
      assert.equal(r.status, 200);
      assert.equal((decodeJwt(String(r.body.access_token)).cnf as Record<string, string>)['x5t#S256'], thumbprint(pki.client.cert));
    });

    it('EP-2: the same header from an untrusted peer is ignored, so the client is refused', async () => {
      const r = await token(untrustedProxy, pki.client.cert);
      assert.equal(r.body.error, 'invalid_client');
    });

    it('EP-2: a forwarded certificate of another subject is refused', async () => {
      const r = await token(trustedProxy, pki.stranger.cert);
      assert.equal(r.body.error, 'invalid_client');
    });

    it('RFC 8705: discovery publishes mtls_endpoint_aliases for the separate mTLS host', async () => {
      const meta = (await (await fetch(new URL('/.well-known/openid-configuration', trustedProxy.url))).json()) as { mtls_endpoint_aliases?: Record<string, string> };
      assert.equal(meta.mtls_endpoint_aliases?.token_endpoint, 'https://mtls.id.test/token');
    });
  });
});
