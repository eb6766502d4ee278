// No lasting state for strangers: someone who is not signed in can make the IdP store
// nothing at the end-session endpoint, the endpoints that do create state (/authorize,
// /par, /logout) have a per-address limit, and the consent ledger (OIDC-8) takes only so
// many decisions per person and application in a short time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import { spa, web, WEB_SECRET } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';
import { authorizationRequest, callbackInput, relyingParty, type TestClient } from '../helpers/rp.js';

const BYE = 'https://rp.test/bye';
const webLogout: TestClient = {
  ...web,
  metadata: { ...web.metadata, client_id: 'web-logout', post_logout_redirect_uris: [BYE] },
  auth: oidc.ClientSecretPost(WEB_SECRET),
};

async function anonymousLogouts(url: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await fetch(`${url}/logout`, { redirect: 'manual' })).status);
  return statuses;
}

describe('the end-session endpoint for strangers (memory store)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [spa.metadata, webLogout.metadata] });
  });
  after(() => running.close());

  const entries = () => running.idp.store.stats().entries ?? NaN;

  it('anonymous GET /logout stores nothing and says the person is signed out', async () => {
    const before = entries();
    const statuses = await anonymousLogouts(running.url, 20);
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(entries(), before, 'no session (or anything else) was stored');
    const res = await fetch(`${running.url}/logout`);
    assert.match(await res.text(), /<h1>You are signed out<\/h1>/);
    assert.equal(res.headers.get('set-cookie'), null, 'no session cookie either');
  });

  it('anonymous POST /logout with a forged session cookie stores nothing', async () => {
    const before = entries();
    const res = await fetch(`${running.url}/logout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: '_session=made-up; _session.sig=made-up' }, body: '' });
    assert.equal(res.status, 200);
    assert.equal(entries(), before);
  });

  it('EP-3: anonymous logout with a registered post_logout_redirect_uri goes straight back, with state', async () => {
    const res = await fetch(`${running.url}/logout?client_id=web-logout&post_logout_redirect_uri=${encodeURIComponent(BYE)}&state=s1`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location') ?? '');
    assert.equal(back.origin + back.pathname, BYE);
    assert.equal(back.searchParams.get('state'), 's1');
  });

  it('EP-3: anonymous logout with an unregistered post_logout_redirect_uri is refused on a page', async () => {
    const res = await fetch(`${running.url}/logout?client_id=web-logout&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /not registered for this client \(EP-3\)/);
  });

  it('a signed-in person still gets the library\'s logout (the session is ended)', async () => {
    const rp = await relyingParty(running.url, webLogout);
    const person = new Person(running.url);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post' });
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    await person.visit(oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: BYE, state: 'bye' }));
    assert.match(person.lastPage, /<h1>Sign out<\/h1>/);
    const back = await person.submit('/logout', { logout: 'yes' });
    assert.equal(back?.url.searchParams.get('state'), 'bye');
  });
});

const skip = redisServerSkip();
describe('the end-session endpoint for strangers (Redis store)', { skip }, () => {
  let redis: LocalRedis;
  let running: RunningIdp;
  before(async () => {
    redis = await startRedisServer();
    running = await startIdp({ clients: [spa.metadata], store: { type: 'redis', url: redis.url, keyPrefix: 'strangers:' } });
  });
  after(async () => {
    await running?.close();
    await redis?.stop();
  });

  it('anonymous GET /logout adds no key to Redis but the per-address count, which expires with its window', async () => {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const keys = async () => (await client.keys('strangers:*')).sort();
      await anonymousLogouts(running.url, 1); // the address's count exists from the first request on
      const before = await keys();
      await anonymousLogouts(running.url, 20);
      const now = await keys();
      assert.deepEqual(now, before, 'no session (or anything else) was stored');
      const counters = now.filter((k) => k.startsWith('strangers:state'));
      assert.equal(counters.length, 1, 'one count for the one address');
      const ttl = await client.pttl(counters[0] ?? '');
      assert.ok(ttl > 0 && ttl <= running.config.limits.stateCreating.window * 1000, `the count expires with its window (PTTL ${ttl})`);
    } finally {
      client.disconnect();
    }
  });
});

describe('per-address limit on the state-creating endpoints', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [spa.metadata, web.metadata], limits: { stateCreating: { requests: 5, window: 60 } } });
  });
  after(() => running.close());

  it('past the limit /logout, /authorize and /par answer 429 with Retry-After, a page for people and JSON for clients', async () => {
    assert.deepEqual(await anonymousLogouts(running.url, 5), [200, 200, 200, 200, 200]);
    const page = await fetch(`${running.url}/logout`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 429);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.match(await page.text(), /Too many sign-in requests came from your network/);

    const rp = await relyingParty(running.url, spa);
    const authorize = await fetch((await authorizationRequest(rp)).url, { redirect: 'manual', headers: { accept: 'text/html' } });
    assert.equal(authorize.status, 429, 'nothing is created for the request');

    const par = await fetch(`${running.url}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'web', client_secret: WEB_SECRET, response_type: 'code id_token', redirect_uri: 'https://rp.test/cb', scope: 'openid' }),
    });
    assert.equal(par.status, 429);
    const body = (await par.json()) as Record<string, unknown>;
    assert.equal(body.error, 'temporarily_unavailable');
  });
});

describe('consent decisions per person and application (OIDC-8)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [web.metadata], consent: { decisionLimits: { perClient: 3, perAccount: 10, window: 60 } } });
  });
  after(() => running.close());

  it('OIDC-8: refusals past the limit are not recorded; the person sees a page asking them to wait', async () => {
    const rp = await relyingParty(running.url, web);
    const person = new Person(running.url);
    const first = await person.signIn((await authorizationRequest(rp, { response_mode: 'form_post', prompt: 'consent' })).url, { username: 'alice', password: PASSWORDS.alice, consent: 'deny' });
    assert.equal(first.form?.fields.error, 'access_denied');
    for (let i = 0; i < 2; i++) {
      await person.visit((await authorizationRequest(rp, { response_mode: 'form_post', prompt: 'consent' })).url);
      const arrival = await person.submit('/confirm', { decision: 'deny' });
      assert.equal(arrival?.form?.fields.error, 'access_denied');
    }
    await person.visit((await authorizationRequest(rp, { response_mode: 'form_post', prompt: 'consent' })).url);
    const fourth = await person.submit('/confirm', { decision: 'deny' });
    assert.equal(fourth, undefined, 'no answer went back to the application');
    assert.equal(person.lastStatus, 429);
    assert.match(person.lastPage, /this answer was not taken/);
    const records = [];
    for await (const r of running.idp.ledger.query({ accountId: 'acct-alice', clientId: 'web' })) records.push(r);
    assert.equal(records.length, 3);
  });
});
