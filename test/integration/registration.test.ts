// EP-10: dynamic registration, when a deployment turns it on, checks every registration
// against its classification profile and answers invalid_client_metadata naming the rule.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { loadConfig } from '../../src/config/load.js';
import { tokenPolicies } from '../../src/registration/token.js';
import { createIdp, type Idp } from '../../src/server.js';
import { API } from '../helpers/fixtures.js';
import { freePort, startIdp, testRawConfig, type RunningIdp } from '../helpers/idp.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';

describe('dynamic client registration', () => {
  let running: RunningIdp;
  let iat: string;
  before(async () => {
    running = await startIdp({ features: { registration: true } });
    iat = await new running.idp.provider.InitialAccessToken({ policies: tokenPolicies({ maxClassification: 'SENSITIVE' }, true) }).save();
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

// EP-10: RFC 7592 registration management, single-use initial access tokens, sealed
// storage, and the operator command that makes tokens for a Redis-backed IdP.
describe('registration management (RFC 7592) and initial access tokens', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ features: { registration: true } });
  });
  after(() => running.close());

  const metadata = {
    classification: 'IN-CONFIDENCE',
    client_name: 'Clinic booking',
    token_endpoint_auth_method: 'client_secret_post',
    response_types: ['code id_token'],
    grant_types: ['authorization_code', 'implicit'],
    redirect_uris: ['https://rp.example/cb'],
  };

  async function call(method: string, url: string | URL, token: string | undefined, body?: unknown) {
    const res = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  const iat = (policies?: string[]) => new running.idp.provider.InitialAccessToken({ policies: policies ?? tokenPolicies({ maxClassification: 'SENSITIVE' }, true) }).save();

  it('EP-10: register → read → update → a policy-breaking update refused → delete', async () => {
    const created = await call('POST', new URL('/register', running.url), await iat(), metadata);
    assert.equal(created.status, 201);
    const uri = String(created.body.registration_client_uri);
    let rat = String(created.body.registration_access_token);
    assert.ok(uri.startsWith(`${running.url}/`) && rat);

    const read = await call('GET', uri, rat);
    assert.equal(read.status, 200);
    assert.equal(read.body.client_id, created.body.client_id);
    assert.equal(read.body.classification, 'IN-CONFIDENCE');

    const full = { ...metadata, client_id: created.body.client_id, client_secret: created.body.client_secret };
    const updated = await call('PUT', uri, rat, { ...full, client_name: 'Clinic booking (new name)' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.client_name, 'Clinic booking (new name)');
    // The registration access token rotates on every update.
    assert.notEqual(updated.body.registration_access_token, rat);
    assert.equal((await call('GET', uri, rat)).status, 401, 'the old registration access token is gone');
    rat = String(updated.body.registration_access_token);

    // GR-2: an update is checked against the profile like a registration.
    const broken = await call('PUT', uri, rat, { ...full, token_endpoint_auth_method: 'none' });
    assert.equal(broken.body.error, 'invalid_client_metadata');
    assert.match(String(broken.body.error_description), /GR-2/);
    // GR-4: so is a response type the profile does not allow.
    const hybridless = await call('PUT', uri, rat, { ...full, response_types: ['code token'] });
    assert.equal(hybridless.body.error, 'invalid_client_metadata');
    assert.match(String(hybridless.body.error_description), /GR-4/);
    // GR-2: and dropping the classification.
    const unclassified = await call('PUT', uri, rat, { ...full, classification: undefined });
    assert.equal(unclassified.body.error, 'invalid_client_metadata');
    assert.match(String(unclassified.body.error_description), /GR-2/);
    assert.equal((await call('GET', uri, rat)).body.client_name, 'Clinic booking (new name)', 'refused updates change nothing');

    assert.equal((await call('DELETE', uri, rat)).status, 204);
    assert.equal((await call('GET', uri, rat)).status, 401, 'deleted: the client and its token are gone');
    assert.equal(await running.idp.provider.Client.find(String(created.body.client_id)), undefined);
  });

  it('EP-10: the registration access token is required for read, update and delete', async () => {
    const created = await call('POST', new URL('/register', running.url), await iat(), metadata);
    const uri = String(created.body.registration_client_uri);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const body = method === 'PUT' ? { ...metadata, client_id: created.body.client_id } : undefined;
      assert.equal((await call(method, uri, undefined, body)).status, 401, `${method} without a token`);
      assert.equal((await call(method, uri, 'not-the-token', body)).status, 401, `${method} with a wrong token`);
    }
    // Another client's registration access token does not open this client.
    const other = await call('POST', new URL('/register', running.url), await iat(), metadata);
    assert.equal((await call('GET', uri, String(other.body.registration_access_token))).status, 401);
    assert.equal((await call('GET', uri, String(created.body.registration_access_token))).status, 200);
  });

  it('EP-10: an initial access token from the operator command registers one client only', async () => {
    const token = await iat(tokenPolicies({ maxClassification: 'SENSITIVE' }));
    const refused = await call('POST', new URL('/register', running.url), token, { ...metadata, token_endpoint_auth_method: 'none' });
    assert.equal(refused.body.error, 'invalid_client_metadata');
    assert.equal((await call('POST', new URL('/register', running.url), token, metadata)).status, 201, 'a refused registration does not spend the token');
    const again = await call('POST', new URL('/register', running.url), token, metadata);
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_token');
  });

  it('EP-10: of two parallel registrations with a single-use token, one gets through', async () => {
    const token = await iat(tokenPolicies({ maxClassification: 'SENSITIVE' }));
    const results = await Promise.all([1, 2, 3].map(() => call('POST', new URL('/register', running.url), token, metadata)));
    assert.equal(results.filter((r) => r.status === 201).length, 1);
  });

  it('TOK-2, EP-10: registered clients are stored sealed (no secret, name or URI readable)', async () => {
    const created = await call('POST', new URL('/register', running.url), await iat(), { ...metadata, client_name: 'Sealed Clinic Name' });
    const raw = (await running.idp.store.dump?.()) ?? [];
    assert.ok(raw.length > 0);
    const all = raw.join('\n');
    for (const value of [created.body.client_secret, created.body.registration_access_token, 'Sealed Clinic Name', 'rp.example']) {
      assert.ok(!all.includes(String(value)), 'nothing readable in the store');
    }
  });

  it('EP-10: the operator command refuses a memory-store deployment and says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'idp-reg-'));
    const path = join(dir, 'memory.json');
    writeFileSync(path, JSON.stringify(testRawConfig('http://127.0.0.1:3999', { features: { registration: true } })));
    const run = runTokenCommand(path);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '', 'no token printed');
    assert.match(run.stderr, /in-memory store.*Redis/s);
    assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/, 'no stack trace');
  });

  it('GR-2, EP-10: the operator command requires the highest classification the client may register', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'idp-reg-')), 'memory.json');
    writeFileSync(path, JSON.stringify(testRawConfig('http://127.0.0.1:3999', { features: { registration: true } })));
    const run = runTokenCommand(path, []);
    assert.equal(run.status, 2);
    assert.equal(run.stdout, '', 'no token printed');
    assert.match(run.stderr, /--classification is required.*PUBLIC, IN-CONFIDENCE, SENSITIVE.*\(GR-2\)/);
  });
});

const registrationKeys = await generateKeyPair('ES256', { extractable: true });
const jwks = { keys: [{ ...(await exportJWK(registrationKeys.publicKey)), alg: 'ES256', use: 'sig', kid: 'reg-1' }] };

// GR-2, EP-10: the operator, not the client, decides how sensitive a registered client may
// be. An initial access token carries the highest classification (and optionally the
// scopes) it may register; an RFC 7592 update never raises the classification or leaves
// the token's allowance. A SENSITIVE registration gets PAR and DPoP set for it.
describe('a client cannot choose or raise its own classification', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ features: { registration: true } });
  });
  after(() => running.close());

  const mint = (policies: string[] | undefined) => new running.idp.provider.InitialAccessToken(policies ? { policies } : {}).save();
  const upTo = (maxClassification: 'PUBLIC' | 'IN-CONFIDENCE' | 'SENSITIVE', scopes?: string[], apis?: string[]) =>
    mint(tokenPolicies({ maxClassification, ...(scopes ? { scopes } : {}), ...(apis ? { apis } : {}) }));

  async function call(method: string, url: string | URL, token: string, body?: unknown) {
    const res = await fetch(url, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
  const register = (token: string, metadata: Record<string, unknown>) => call('POST', new URL('/register', running.url), token, metadata);

  const good = { classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'], redirect_uris: ['https://rp.example/cb'] };
  const publicApp = { classification: 'PUBLIC', token_endpoint_auth_method: 'client_secret_post', response_types: ['code'], grant_types: ['authorization_code', 'client_credentials'], redirect_uris: ['https://rp.example/cb'] };
  const sensitiveApp = { classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt', jwks, response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'], redirect_uris: ['https://rp.example/cb'] };

  function assertRefused(r: { status: number; body: Record<string, unknown> }, pattern: RegExp) {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_client_metadata');
    assert.match(String(r.body.error_description), pattern);
  }

  it('EP-10: a token without a classification ceiling registers nothing', async () => {
    assertRefused(await register(await mint(undefined), publicApp), /classification: .*no classification ceiling.*\(EP-10\)/);
  });

  it('GR-2, EP-10: registration above the token\'s classification is refused, and does not spend it', async () => {
    const token = await upTo('IN-CONFIDENCE');
    assertRefused(await register(token, sensitiveApp), /classification: this token allows registration up to IN-CONFIDENCE.*\(GR-2, EP-10\)/);
    const ok = await register(token, { ...good, client_name: 'Within the ceiling' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.classification, 'IN-CONFIDENCE');
  });

  it('GR-2, EP-10: a PUBLIC client cannot raise itself to SENSITIVE with an RFC 7592 update', async () => {
    const created = await register(await upTo('PUBLIC'), publicApp);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const uri = String(created.body.registration_client_uri);
    const rat = String(created.body.registration_access_token);
    const raised = await call('PUT', uri, rat, { ...sensitiveApp, client_id: created.body.client_id, grant_types: ['authorization_code', 'implicit', 'client_credentials'] });
    assertRefused(raised, /classification: .*\(GR-2, EP-10\)/);
    const read = await call('GET', uri, rat);
    assert.equal(read.body.classification, 'PUBLIC', 'still PUBLIC');
  });

  it('GR-2, EP-10: an update never raises the classification, even within the token\'s ceiling; lowering it is allowed', async () => {
    const created = await register(await upTo('SENSITIVE'), publicApp);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const uri = String(created.body.registration_client_uri);
    const full = { ...good, client_id: created.body.client_id };
    assertRefused(await call('PUT', uri, String(created.body.registration_access_token), full), /a PUBLIC client cannot make itself IN-CONFIDENCE.*\(GR-2, EP-10\)/);

    const confidential = await register(await upTo('SENSITIVE'), good);
    const lowered = await call('PUT', String(confidential.body.registration_client_uri), String(confidential.body.registration_access_token), { ...publicApp, client_id: confidential.body.client_id });
    assert.equal(lowered.status, 200, JSON.stringify(lowered.body));
    assert.equal(lowered.body.classification, 'PUBLIC');
  });

  it('EP-10: a token that lists scopes limits the registration\'s scope, now and on update', async () => {
    const token = await upTo('IN-CONFIDENCE', ['openid', 'profile']);
    assertRefused(await register(token, { ...good, scope: 'openid profile nhi' }), /scope: not allowed by this token: nhi.*\(EP-10\)/);
    const created = await register(token, good);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.scope, 'openid profile', 'the token\'s scopes, when the registration names none');
    const widened = await call('PUT', String(created.body.registration_client_uri), String(created.body.registration_access_token), { ...good, client_id: created.body.client_id, client_secret: created.body.client_secret, scope: 'openid profile nhi' });
    assertRefused(widened, /scope: not allowed by this token: nhi.*\(EP-10\)/);
  });

  it('EP-10: a token that lists APIs limits the tokens the client can get, now and on update', async () => {
    const token = await upTo('IN-CONFIDENCE', undefined, [API.inConfidence]);
    const serviceApp = { classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
    assertRefused(await register(token, { ...serviceApp, allowed_resources: [API.public] }), /allowed_resources: not allowed by this token.*\(EP-10\)/);
    const created = await register(token, serviceApp);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.allowed_resources, [API.inConfidence], 'the token\'s APIs, when the registration names none');

    const grant = async (resource: string) => {
      const res = await fetch(new URL('/token', running.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(created.body.client_id), client_secret: String(created.body.client_secret), resource }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    assert.equal((await grant(API.inConfidence)).status, 200);
    const elsewhere = await grant(API.public);
    assert.equal(elsewhere.body.error, 'invalid_target', 'a PUBLIC API its class could reach, but the token did not allow');
    assert.match(String(elsewhere.body.error_description), /registered for other APIs only \(EP-10\)/);

    const widened = await call('PUT', String(created.body.registration_client_uri), String(created.body.registration_access_token), { ...serviceApp, client_id: created.body.client_id, client_secret: created.body.client_secret, allowed_resources: [API.inConfidence, API.public] });
    assertRefused(widened, /allowed_resources: not allowed by this token: https:\/\/api\.test\/public.*\(EP-10\)/);
  });

  it('GR-8, EP-2: a SENSITIVE registration gets PAR and DPoP-bound tokens set for it', async () => {
    const created = await register(await upTo('SENSITIVE'), sensitiveApp);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.require_pushed_authorization_requests, true);
    assert.equal(created.body.dpop_bound_access_tokens, true);
    // An explicit refusal of either is still refused, never silently reconciled.
    assertRefused(await register(await upTo('SENSITIVE'), { ...sensitiveApp, require_pushed_authorization_requests: false }), /PAR is required.*\(GR-8\)/);
    assertRefused(await register(await upTo('SENSITIVE'), { ...sensitiveApp, dpop_bound_access_tokens: false }), /sender-constrained.*\(EP-2\)/);
  });
});

function runTokenCommand(configPath: string, args = ['--classification', 'IN-CONFIDENCE'], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/registration/token-cli.ts', '--config', configPath, ...args], {
    encoding: 'utf8',
    env: { ...process.env, REDIS_URL: '', ...env },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('EP-10: the operator command against a Redis-backed IdP', { skip: redisServerSkip() }, () => {
  let redis: LocalRedis;
  let idp: Idp;
  let url: string;
  let configPath: string;
  before(async () => {
    redis = await startRedisServer();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const key = () => randomBytes(32).toString('base64url');
    const raw = testRawConfig(url, {
      port,
      features: { registration: true },
      store: { type: 'redis', url: redis.url, keyPrefix: 'regtest:' },
      secrets: { cookieKeys: [key()], sealingKeys: [{ kid: 'k1', key: key() }], lookupKey: key() },
    });
    configPath = join(mkdtempSync(join(tmpdir(), 'idp-reg-')), 'redis.json');
    writeFileSync(configPath, JSON.stringify(raw));
    idp = await createIdp(loadConfig(configPath, { env: {} }));
    await idp.listen(port, '127.0.0.1');
  });
  after(async () => {
    await idp?.close();
    await redis?.stop();
  });

  it('EP-10, GR-2: `npm run registration-token -- --classification IN-CONFIDENCE` prints a token the running IdP accepts, once, up to that class', async () => {
    const run = runTokenCommand(configPath);
    assert.equal(run.status, 0, run.stderr);
    const token = run.stdout.trim();
    assert.match(token, /^[\w-]{20,}$/, 'only the token on stdout');
    assert.doesNotMatch(run.stderr, new RegExp(token), 'the token is not repeated on stderr');
    // The command's small core audits the mint itself (no IdP booted), on stderr.
    assert.match(run.stderr, /"event":"registration_token\.minted".*"singleUse":true/);
    const register = () =>
      fetch(new URL('/register', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'], redirect_uris: ['https://rp.example/cb'] }),
      });
    const above = await fetch(new URL('/register', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt', jwks, response_types: ['code id_token'], grant_types: ['authorization_code', 'implicit'], redirect_uris: ['https://rp.example/cb'] }),
    });
    assert.equal(above.status, 400, 'the token was made for IN-CONFIDENCE at most (GR-2)');
    assert.match(String(((await above.json()) as { error_description?: unknown }).error_description), /up to IN-CONFIDENCE.*\(GR-2, EP-10\)/);
    const first = await register();
    assert.equal(first.status, 201);
    const second = await register();
    assert.equal(second.status, 401, 'single use');
  });
});
