// The production path as the Docker image runs it (EP-11, EP-2): `npm run build`, a clean
// copy with production dependencies only (the Dockerfile's steps), the compiled entry
// point in production mode — https issuer, Redis, secrets from files — behind Debian's
// nginx, which terminates TLS with a certificate from a test CA and forwards the client
// certificate. Then a full sign-in with a real relying party and an mTLS-bound token,
// both through nginx. nginx runs the shipped config/nginx.example.conf.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { Agent, fetch as undiciFetch } from 'undici';
import { hashPassword } from '../../src/accounts/password.js';
import { hasOpenssl, labClient, makePki, proxiedMtls, type Pem, type TestPki } from '../helpers/certs.js';
import { buildApp, ROOT, run, startBuilt, stop } from '../helpers/built.js';
import { API, REDIRECT, TEST_APIS, TEST_SCOPES } from '../helpers/fixtures.js';
import { freePort } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { callbackInput, decodeJwt } from '../helpers/rp.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';

function hasNginx(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const lacking = [!hasNginx() && 'nginx', redisServerSkip() && 'redis-server', !hasOpenssl() && 'openssl'].filter(Boolean);
const missing = lacking.length ? `PRODUCTION-PATH SUITE DID NOT RUN: install ${lacking.join(', ')} (apt-get install -y nginx redis-server openssl)` : false;
if (missing && process.env.CI === 'true') throw new Error(missing);
if (missing) console.error(`\n*** ${missing} ***\n`);

const PASSWORD = `pw-${randomBytes(12).toString('base64url')}`;
const WEB_SECRET = randomBytes(32).toString('base64url');
const key32 = () => randomBytes(32).toString('base64url');

/** The shipped example with its host names, ports and paths swapped for this test's; each must be found. */
function nginxConfig(dir: string, pki: TestPki, listen: number, upstream: number): string {
  let site = readFileSync(join(ROOT, 'config/nginx.example.conf'), 'utf8');
  const swaps: [string, string][] = [
    ['server 10.0.0.20:3000;', `server 127.0.0.1:${upstream};`],
    ['listen 443 ssl;', `listen 127.0.0.1:${listen} ssl;`],
    ['server_name id.health.example.org;', 'server_name 127.0.0.1;'],
    ['/etc/nginx/tls/id.health.example.org.crt', pki.server.certFile],
    ['/etc/nginx/tls/id.health.example.org.key', pki.server.keyFile],
  ];
  for (const [from, to] of swaps) {
    assert.ok(site.includes(from), `config/nginx.example.conf no longer contains "${from}"`);
    site = site.replace(from, to);
  }
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return `${user}
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
${site}
}
`;
}

async function waitUntil(check: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A person's browser that trusts the test CA. */
class Browser extends Person {
  constructor(origin: string, private readonly dispatcher: Agent) {
    super(origin);
  }
  override request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    return (undiciFetch(url, { ...init, headers, redirect: 'manual', dispatcher: this.dispatcher } as unknown as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>).then((res) => {
      this.remember(res);
      return res;
    });
  }
}

describe('the production path: built IdP behind nginx, Redis, secrets from files', { skip: missing, timeout: 600_000 }, () => {
  let work: string;
  let pki: TestPki;
  let redis: LocalRedis;
  let idp: ChildProcess | undefined;
  let nginx: ChildProcess | undefined;
  let issuer: string;
  let idpLog: () => string = () => '';

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'idp-prod-'));
    pki = makePki();
    redis = await startRedisServer();

    // The Dockerfile's build stage, then its deps stage: compiled output and production
    // dependencies only, in a clean directory.
    const app = join(work, 'app');
    mkdirSync(app);
    await buildApp(app, ['package.json', 'package-lock.json']);
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: app });

    // Secrets as files (never in the deployment file), as an agency mounts them.
    const secrets = join(work, 'secrets');
    mkdirSync(secrets);
    const keys = [];
    for (const alg of ['ES256', 'PS256'] as const) {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      keys.push({ ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `${alg.toLowerCase()}-test` });
    }
    writeFileSync(join(secrets, 'signing-jwks.json'), JSON.stringify({ keys }));
    for (const name of ['sealing-key', 'lookup-key', 'dpop-nonce-key']) writeFileSync(join(secrets, name), key32());
    writeFileSync(join(secrets, 'web-client-secret'), WEB_SECRET);

    const [listen, upstream] = [await freePort(), await freePort()];
    issuer = `https://127.0.0.1:${listen}`;
    const deployment = {
      mode: 'production',
      issuer,
      port: upstream,
      proxy: { trusted: ['127.0.0.1/32'] },
      keys: { signing: { path: join(secrets, 'signing-jwks.json') } },
      secrets: {
        cookieKeys: [{ env: 'IDP_COOKIE_KEY' }],
        sealingKeys: [{ kid: 'test-1', key: { file: join(secrets, 'sealing-key') } }],
        lookupKey: { file: join(secrets, 'lookup-key') },
        dpopNonceKey: { file: join(secrets, 'dpop-nonce-key') },
      },
      mtls: proxiedMtls(pki),
      store: { type: 'redis', url: redis.url },
      scopes: TEST_SCOPES,
      resourceServers: TEST_APIS,
      accounts: [{ id: 'acct-alice', username: 'alice', passwordHash: await hashPassword(PASSWORD), claims: { name: 'Alice Ngata' } }],
      clients: [
        {
          client_id: 'web',
          client_name: 'Clinic portal',
          classification: 'IN-CONFIDENCE',
          client_secret: { file: join(secrets, 'web-client-secret') },
          token_endpoint_auth_method: 'client_secret_post',
          response_types: ['code id_token'],
          grant_types: ['authorization_code', 'refresh_token'],
          redirect_uris: [REDIRECT],
        },
        labClient(),
      ],
    };
    writeFileSync(join(work, 'idp.json'), JSON.stringify(deployment, null, 2));

    // The image's command, with the image's environment.
    const built = startBuilt(app, join(work, 'idp.json'), { NODE_ENV: 'production', IDP_COOKIE_KEY: randomBytes(48).toString('base64') });
    idp = built.child;
    idpLog = built.output;

    const nginxDir = join(work, 'nginx');
    mkdirSync(nginxDir);
    writeFileSync(join(nginxDir, 'nginx.conf'), nginxConfig(nginxDir, pki, listen, upstream));
    nginx = spawn('nginx', ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf')], { stdio: 'ignore' });

    const probe = new Agent({ connect: { ca: pki.ca.cert } });
    await waitUntil(async () => (await undiciFetch(`${issuer}/readyz`, { dispatcher: probe })).status === 200, `the IdP ready through nginx (log so far: ${idpLog().slice(-500)})`);
  });

  after(async () => {
    await stop(nginx);
    await stop(idp);
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  function relyingParty(clientId: string, auth: oidc.ClientAuth, metadata: Partial<oidc.ClientMetadata>, cert?: Pem) {
    const dispatcher = new Agent({ connect: { ca: pki.ca.cert, ...(cert ? { cert: cert.cert, key: cert.key } : {}) } });
    const through = (url: string, options: oidc.CustomFetchOptions) => undiciFetch(url, { ...options, dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
    return oidc.discovery(new URL(issuer), clientId, metadata, auth, { [oidc.customFetch]: through }).then((config) => {
      config[oidc.customFetch] = through;
      return config;
    });
  }

  it('EP-11: discovery through nginx names the https issuer and https endpoints (X-Forwarded-Proto and -Host believed from the proxy)', async () => {
    const config = await relyingParty('web', oidc.ClientSecretPost(WEB_SECRET), {});
    const meta = config.serverMetadata();
    assert.equal(meta.issuer, issuer);
    assert.equal(meta.token_endpoint, `${issuer}/token`);
    assert.ok(meta.authorization_endpoint?.startsWith(`${issuer}/`), meta.authorization_endpoint);
    assert.equal(meta.tls_client_certificate_bound_access_tokens, true);
  });

  it('a person signs in through nginx with the compiled IdP on Redis; the client secret comes from a file', async () => {
    const config = await relyingParty('web', oidc.ClientSecretPost(WEB_SECRET), { redirect_uris: [REDIRECT], response_types: ['code id_token'] });
    oidc.useCodeIdTokenResponseType(config);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid profile offline_access',
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const browser = new Browser(new URL(issuer).origin, new Agent({ connect: { ca: pki.ca.cert } }));
    const arrival = await browser.signIn(url, { username: 'alice', password: PASSWORD });
    const tokens = await oidc.authorizationCodeGrant(config, callbackInput(arrival), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(tokens.claims()?.iss, issuer);
    assert.equal(tokens.claims()?.sub, 'acct-alice');
    assert.ok(tokens.refresh_token, 'a confidential IN-CONFIDENCE client gets a refresh token');
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token);
  });

  it('EP-2: a client certificate presented to nginx authenticates the client at the IdP and binds its token (cnf.x5t#S256)', async () => {
    const config = await relyingParty('lab', oidc.TlsClientAuth(), {}, pki.client);
    const tokens = await oidc.clientCredentialsGrant(config, { resource: API.inConfidence });
    const cnf = decodeJwt(tokens.access_token).cnf as Record<string, string>;
    assert.equal(cnf['x5t#S256'], createHash('sha256').update(new X509Certificate(pki.client.cert).raw).digest('base64url'));
  });

  it('EP-2: a certificate from a CA the IdP does not trust passes nginx (optional_no_ca) and is refused by the IdP', async () => {
    const config = await relyingParty('lab', oidc.TlsClientAuth(), {}, pki.impostor);
    await assert.rejects(oidc.clientCredentialsGrant(config, { resource: API.inConfidence }), (err: { error?: string }) => err.error === 'invalid_client');
  });

  it('EP-2: a client that sends its own X-SSL-Client-Cert header through nginx without a certificate is refused', async () => {
    const config = await relyingParty('lab', oidc.TlsClientAuth(), {});
    const forged = encodeURIComponent(pki.client.cert);
    const plain = config[oidc.customFetch];
    // options.headers is a plain record (openid-client's CustomFetchOptions)
    config[oidc.customFetch] = (url, options) => plain?.(url, { ...options, headers: { ...options.headers, 'x-ssl-client-cert': forged } }) as Promise<Response>;
    await assert.rejects(oidc.clientCredentialsGrant(config, { resource: API.inConfidence }), (err: { error?: string }) => err.error === 'invalid_client');
  });
});
