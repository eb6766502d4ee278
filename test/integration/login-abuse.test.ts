// Login that resists abuse: throttling per account and per IP, the same answer (and
// about the same time) for unknown users and wrong passwords, session cookies that are
// HttpOnly, SameSite and Secure behind TLS, and an RP-initiated logout that ends the session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { spa, staticClients, web, WEB_SECRET } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, callbackInput, relyingParty, type TestClient } from '../helpers/rp.js';

const BYE = 'https://rp.test/bye';
const webLogout: TestClient = {
  ...web,
  metadata: { ...web.metadata, client_id: 'web-logout', client_name: 'Clinic portal (logout)', post_logout_redirect_uris: [BYE] },
  auth: oidc.ClientSecretPost(WEB_SECRET),
};

const alertOf = (page: string) => /role="alert"[^>]*>([^<]*)</.exec(page)?.[1];
/** The page without what legitimately differs: the name typed and the CSRF token. */
const normalise = (page: string) => page.replace(/value="[^"]*"/g, 'value=""');

describe('login throttling (per account and per IP)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({
      clients: staticClients,
      login: { throttle: { account: { freeAttempts: 2, lockAfter: 4 }, ip: { freeAttempts: 20, lockAfter: 40 }, baseDelay: 30, maxDelay: 60, lockFor: 600, window: 3600 } },
    });
  });
  after(() => running.close());

  async function loginPage() {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp);
    const person = new Person(running.url);
    await person.visit(pending.url);
    return person;
  }

  it('back-off after repeated failures, the same for a real and an unknown account; even the right password waits', async () => {
    const person = await loginPage();
    for (const name of ['alice', 'ghost']) {
      for (let i = 0; i < 2; i++) {
        await person.submit('/login', { username: name, password: 'wrong' });
        assert.equal(person.lastStatus, 401);
      }
      await person.submit('/login', { username: name, password: 'wrong' });
      assert.equal(person.lastStatus, 401, 'the third failure is still checked');
      await person.submit('/login', { username: name, password: 'wrong' });
      assert.equal(person.lastStatus, 429, `${name}: back-off`);
      assert.match(alertOf(person.lastPage) ?? '', /Too many sign-in attempts\. Wait 30 seconds/);
    }
    await person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    assert.equal(person.lastStatus, 429, 'during back-off even the right password is not checked');
  });

  it('a temporary lock after more failures, for unknown and real accounts alike', async () => {
    const locking = await startIdp({
      clients: staticClients,
      login: { throttle: { account: { freeAttempts: 3, lockAfter: 4 }, ip: { freeAttempts: 20, lockAfter: 40 }, lockFor: 900 } },
    });
    try {
      const rp = await relyingParty(locking.url, spa);
      const person = new Person(locking.url);
      await person.visit((await authorizationRequest(rp)).url);
      const pages: string[] = [];
      for (const name of ['alice', 'ghost']) {
        for (let i = 0; i < 4; i++) await person.submit('/login', { username: name, password: 'wrong' });
        await person.submit('/login', { username: name, password: name === 'alice' ? PASSWORDS.alice : 'x' });
        assert.equal(person.lastStatus, 429);
        assert.match(alertOf(person.lastPage) ?? '', /Signing in is paused for 15 minutes/);
        pages.push(normalise(person.lastPage));
      }
      assert.equal(pages[0], pages[1], 'a locked real account and a locked unknown name look the same');
    } finally {
      await locking.close();
    }
  });
});

describe('login answers: no account enumeration', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: staticClients, login: { throttle: { account: { freeAttempts: 1000, lockAfter: 2000 }, ip: { freeAttempts: 1000, lockAfter: 2000 } } } });
  });
  after(() => running.close());

  it('unknown user and wrong password: same status, same page, similar time', async () => {
    const rp = await relyingParty(running.url, spa);
    const person = new Person(running.url);
    await person.visit((await authorizationRequest(rp)).url);
    const timeOf = async (username: string) => {
      const t0 = process.hrtime.bigint();
      await person.submit('/login', { username, password: 'wrong-password' });
      return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: person.lastStatus, page: normalise(person.lastPage) };
    };
    // warm up
    await timeOf('alice');
    await timeOf('nobody');
    const known: number[] = [];
    const unknown: number[] = [];
    let knownPage = '';
    let unknownPage = '';
    for (let i = 0; i < 8; i++) {
      const k = await timeOf('alice');
      const u = await timeOf(`nobody${i}`);
      assert.equal(k.status, 401);
      assert.equal(u.status, 401);
      known.push(k.ms);
      unknown.push(u.ms);
      knownPage = k.page;
      unknownPage = u.page;
    }
    assert.equal(knownPage, unknownPage, 'the same page');
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const [mk, mu] = [median(known), median(unknown)];
    // Both pay one password hash; a shared 2-core machine is noisy, so the bound is loose.
    assert.ok(Math.abs(mk - mu) < Math.max(25, 0.5 * Math.max(mk, mu)), `medians ${mk.toFixed(1)} ms vs ${mu.toFixed(1)} ms`);
  });
});

describe('session cookies and RP-initiated logout', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [...staticClients, webLogout.metadata], proxy: true });
  });
  after(() => running.close());

  /** A person whose requests arrive through a TLS-terminating proxy (EP-11). */
  /** Its browser sees https URLs; the proxy (here: this class) forwards them over http. */
  class TlsPerson extends Person {
    readonly setCookies: string[] = [];
    constructor(readonly plainOrigin: string) {
      super(plainOrigin.replace(/^http:/, 'https:'));
    }
    override async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
      const headers = new Headers(init.headers);
      headers.set('x-forwarded-proto', 'https');
      const plain = String(url).replace(this.idpOrigin, this.plainOrigin);
      const res = await super.request(plain, { ...init, headers });
      this.setCookies.push(...res.headers.getSetCookie());
      return res;
    }
  }

  it('every cookie is HttpOnly and SameSite; behind TLS also Secure', async () => {
    const rp = await relyingParty(running.url, webLogout);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post' });
    const person = new TlsPerson(running.url);
    await person.signIn(new URL(pending.url.href.replace(running.url, person.idpOrigin)), { username: 'alice', password: PASSWORDS.alice });
    await person.visit(`${person.idpOrigin}/account/login`);
    await person.submit('/account/login', { username: 'alice', password: PASSWORDS.alice });
    const names = new Set(person.setCookies.map((c) => c.split('=')[0]));
    for (const name of ['_session', '_interaction', 'idp.csrf', 'idp.account']) assert.ok(names.has(name), `${name} was set`);
    for (const cookie of person.setCookies) {
      const [name] = cookie.split('=');
      assert.match(cookie, /;\s*httponly/i, `${name} HttpOnly`);
      assert.match(cookie, /;\s*samesite=(lax|strict)/i, `${name} SameSite`);
      assert.match(cookie, /;\s*secure/i, `${name} Secure behind TLS`);
    }
  });

  it('RP-initiated logout at /logout ends the session', async () => {
    const rp = await relyingParty(running.url, webLogout);
    const person = new Person(running.url);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post' });
    const arrival = await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    const tokens = await oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });

    // Signed in: prompt=none succeeds without any page.
    const silent = await authorizationRequest(rp, { response_mode: 'form_post', prompt: 'none' });
    const silentArrival = await person.visit(silent.url);
    assert.ok(silentArrival?.form?.fields.code, 'a silent sign-in works while the session lasts');

    const endSession = oidc.buildEndSessionUrl(rp, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: BYE, state: 'bye-state' });
    assert.equal(endSession.pathname, '/logout');
    await person.visit(endSession);
    assert.match(person.lastPage, /<h1>Sign out<\/h1>/);
    assert.match(person.lastPage, /Clinic portal \(logout\)/);
    const back = await person.submit('/logout', { logout: 'yes' });
    assert.equal(back?.url.origin + (back?.url.pathname ?? ''), BYE);
    assert.equal(back?.url.searchParams.get('state'), 'bye-state');

    const after = await authorizationRequest(rp, { response_mode: 'form_post', prompt: 'none' });
    const afterArrival = await person.visit(after.url);
    assert.equal(afterArrival?.form?.fields.error, 'login_required', 'the session is gone');
  });

  it('logout without a client shows the signed-out page', async () => {
    const rp = await relyingParty(running.url, spa);
    const person = new Person(running.url);
    const pending = await authorizationRequest(rp);
    await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    await person.visit(`${running.url}/logout`);
    await person.submit('/logout', { logout: 'yes' });
    assert.match(person.lastPage, /<h1>You are signed out<\/h1>/);
    const again = await authorizationRequest(rp, { prompt: 'none' });
    const arrival = await person.visit(again.url);
    assert.equal(arrival?.url.searchParams.get('error'), 'login_required');
  });
});
