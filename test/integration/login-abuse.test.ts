// Login that resists abuse: every password form goes through one throttle that counts an
// attempt before checking it (parallel bursts included), bounds the checks in flight, and
// cannot be turned into a lock-out of the owner (device cookie). Also: the same answer (and
// about the same time) for unknown users and wrong passwords, session cookies that are
// HttpOnly, SameSite and Secure behind TLS, and an RP-initiated logout that ends the session.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { hashPassword } from '../../src/accounts/password.js';
import type { AccountStore } from '../../src/accounts/store.js';
import { spa, staticClients, web, WEB_SECRET } from '../helpers/clients.js';
import { PASSWORDS, TEST_ACCOUNTS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { parseForms, Person } from '../helpers/person.js';
import { PersonAt } from '../helpers/addresses.js';
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

/** Posts the sign-in form on the person's current page (without reading it into the person). */
function poster(person: Person, action: string): (username: string, password: string) => Promise<Response> {
  const form = parseForms(person.lastPage).find((f) => f.action.includes(action));
  assert.ok(form, `a form for ${action}`);
  return (username, password) =>
    person.request(new URL(form.action, person.idpOrigin), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, username, password }).toString(),
    });
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;
const statusOf = (res: Promise<Response>) => res.then(async (r) => (await r.arrayBuffer(), r.status));

/**
 * An agency directory (createIdp's `accounts`) that holds every password check until the
 * test lets go, so which requests reached the check is certain, without timing.
 */
function heldDirectory() {
  let release: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const state = { checking: 0 };
  const accounts: AccountStore = {
    async authenticate(username, password) {
      state.checking += 1;
      await gate;
      return username === 'alice' && password === PASSWORDS.alice ? 'alice' : undefined;
    },
    find: (id) => Promise.resolve(id === 'alice' ? { id, claims: {} } : undefined),
  };
  return {
    accounts,
    state,
    release: () => release(),
    /** hold the checks again, from zero */
    hold() {
      gate = new Promise<void>((resolve) => (release = resolve));
      state.checking = 0;
    },
  };
}

/**
 * Resolves once each of the requests has either been answered or reached the held check
 * (so it works, and fails clearly, whatever the throttle does); the answers so far.
 */
async function whenSettled(statuses: Promise<number>[], state: { checking: number }): Promise<number[]> {
  const seen: number[] = [];
  for (const s of statuses) void s.then((status) => seen.push(status));
  while (seen.length + state.checking < statuses.length) await new Promise((resolve) => setTimeout(resolve, 10));
  return [...seen];
}

describe('password guessing is counted before it is checked (parallel bursts)', () => {
  const directory = heldDirectory();
  let running: RunningIdp;
  before(async () => {
    running = await startIdp(
      // Checks in flight unbounded here: only the reservation may stop a burst.
      { clients: staticClients, features: { ciba: true }, login: { throttle: { inFlight: { perAccount: 100, perProcess: 100 } } } },
      { accounts: directory.accounts },
    );
  });
  after(() => {
    directory.release(); // a failed assertion must not leave checks hanging
    return running.close();
  });

  async function burstThenRight(person: Person, action: string, n: number) {
    directory.hold();
    const post = poster(person, action);
    const wrong = Array.from({ length: n }, (_, i) => statusOf(post('alice', `wrong-${i}`)));
    // While every check that got through is still held, all the others have been refused.
    const refusedEarly = await whenSettled(wrong, directory.state);
    assert.equal(directory.state.checking, 5, 'exactly 5 of the burst reached the password check');
    const right = await statusOf(post('alice', PASSWORDS.alice));
    directory.release();
    return { refusedEarly, all: await Promise.all(wrong), right };
  }

  it('login page: 24 wrong passwords at once, then the right one inside the burst — 5 checked, the right one refused', async () => {
    const rp = await relyingParty(running.url, spa);
    const person = new Person(running.url);
    await person.visit((await authorizationRequest(rp)).url);
    const { refusedEarly, all, right } = await burstThenRight(person, '/login', 24);
    assert.deepEqual(refusedEarly, Array(19).fill(429), '19 refused without a check');
    assert.equal(count(all, 401), 5);
    assert.equal(right, 429, 'the right password sent inside the burst is not checked');
  });

  it('one count for every password form: after that burst, the CIBA approval page refuses alice unchecked', async () => {
    const person = new Person(running.url);
    await person.visit(new URL('/ciba/approve', running.url));
    directory.hold();
    const first = await statusOf(poster(person, '/ciba/approve/sign-in')('alice', PASSWORDS.alice));
    assert.equal(first, 429, 'the count from the login page holds on the CIBA page');
    assert.equal(directory.state.checking, 0);
    directory.release();
  });
});

describe('the CIBA approval page goes through the same throttle', () => {
  const directory = heldDirectory();
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: staticClients, features: { ciba: true }, login: { throttle: { inFlight: { perAccount: 100, perProcess: 100 } } } }, { accounts: directory.accounts });
  });
  after(() => {
    directory.release(); // a failed assertion must not leave checks hanging
    return running.close();
  });

  it('20 wrong passwords at once, then the right one inside the burst: 5 checked, the right one refused, no session', async () => {
    const person = new Person(running.url);
    await person.visit(new URL('/ciba/approve', running.url));
    directory.hold();
    const post = poster(person, '/ciba/approve/sign-in');
    const wrong = Array.from({ length: 20 }, (_, i) => statusOf(post('alice', `wrong-${i}`)));
    const refusedEarly = await whenSettled(wrong, directory.state);
    assert.equal(directory.state.checking, 5, 'exactly 5 of the burst reached the password check');
    assert.deepEqual(refusedEarly, Array(15).fill(429));
    assert.equal(await statusOf(post('alice', PASSWORDS.alice)), 429);
    directory.release();
    assert.equal(count(await Promise.all(wrong), 401), 5);
    assert.equal(person.cookies.has('idp.ciba'), false, 'no approval-page session');
  });

  it('sequential guesses: 5 checked, then refused — the right password too', async () => {
    directory.release();
    const person = new Person(running.url);
    await person.visit(new URL('/ciba/approve', running.url));
    for (let i = 0; i < 5; i++) {
      await person.submit('/ciba/approve/sign-in', { username: 'bob', password: `wrong-${i}` });
      assert.equal(person.lastStatus, 401, `guess ${i + 1} is checked`);
    }
    await person.submit('/ciba/approve/sign-in', { username: 'bob', password: PASSWORDS.bob });
    assert.equal(person.lastStatus, 429);
    assert.match(alertOf(person.lastPage) ?? '', /Signing in is paused for 15 minutes/);
  });
});

describe('login throttling: sequential guesses, and the consents page shares the count', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({
      clients: staticClients,
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

  it('sequential wrong passwords: after 5, paused for 15 minutes, even for the right password; a real and an unknown name look the same', async () => {
    const person = await loginPage();
    const pages: string[] = [];
    for (const name of ['bob', 'ghost']) {
      for (let i = 0; i < 5; i++) {
        await person.submit('/login', { username: name, password: 'wrong' });
        assert.equal(person.lastStatus, 401, `${name}: try ${i + 1} is checked`);
      }
      await person.submit('/login', { username: name, password: name === 'bob' ? PASSWORDS.bob : 'x' });
      assert.equal(person.lastStatus, 429, `${name}: refused unchecked`);
      assert.match(alertOf(person.lastPage) ?? '', /Signing in is paused for 15 minutes/);
      pages.push(normalise(person.lastPage));
    }
    assert.equal(pages[0], pages[1], 'a paused real account and a paused unknown name look the same');
  });

  it('the consents page sign-in and the login page share one count', async () => {
    const person = await loginPage();
    for (let i = 0; i < 3; i++) await person.submit('/login', { username: 'carol', password: 'wrong' });
    const account = new Person(running.url);
    await account.visit(`${running.url}/account/login`);
    for (let i = 0; i < 2; i++) {
      await account.submit('/account/login', { username: 'carol', password: 'wrong' });
      assert.equal(account.lastStatus, 401);
    }
    await account.submit('/account/login', { username: 'carol', password: 'wrong' });
    assert.equal(account.lastStatus, 429, '3 on the login page + 2 here = 5');
    assert.match(alertOf(account.lastPage) ?? '', /Too many sign-in attempts/);
  });
});

describe('password checks in flight are bounded', () => {
  const directory = heldDirectory();
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: staticClients, login: { throttle: { inFlight: { perAccount: 1, perProcess: 3 } } } }, { accounts: directory.accounts });
  });
  after(() => {
    directory.release(); // a failed assertion must not leave checks hanging
    return running.close();
  });

  it('a burst for one name gets a quick "try again shortly" page instead of queueing; so does one over the process bound', async () => {
    const person = new Person(running.url);
    await person.visit(`${running.url}/account/login`);
    const post = poster(person, '/account/login');
    directory.hold();
    const forAlice = Array.from({ length: 4 }, () => statusOf(post('alice', 'wrong')));
    // Three of the four are answered while the first is still being checked.
    const early = await whenSettled(forAlice, directory.state);
    assert.equal(directory.state.checking, 1, 'one check for alice at a time');
    assert.deepEqual(early, [429, 429, 429]);
    const others = ['u1', 'u2'].map((name) => statusOf(post(name, 'wrong')));
    while (directory.state.checking < 3) await new Promise((resolve) => setTimeout(resolve, 10));
    const over = await post('u3', 'wrong');
    assert.equal(over.status, 429, 'a fourth check in the process is refused at once, not queued');
    assert.equal(over.headers.get('retry-after'), '1');
    assert.match(await over.text(), /try again shortly/);
    directory.release();
    const statuses = await Promise.all([...forAlice, ...others]);
    assert.equal(count(statuses, 401), 3, 'the held checks answer as usual');
    // The refused ones were not counted: alice still has her checks.
    directory.hold();
    directory.release();
    for (let i = 0; i < 4; i++) assert.equal(await statusOf(post('alice', 'wrong')), 401, `later try ${i + 1} is checked`);
  });
});

describe('lock-out is not a weapon: the owner\'s device cookie during an attack', () => {
  let running: RunningIdp;
  const attackers: PersonAt[] = [];
  before(async () => {
    // The defaults: 5 per (username, address) then 15 minutes; 10 per username per 5 minutes.
    const bob = { id: 'acct-bob', username: 'bob', passwordHash: await hashPassword(PASSWORDS.bob, { N: 1024, r: 8, p: 1 }), claims: { name: 'Bob Smith' } };
    running = await startIdp({ clients: staticClients, accounts: [...TEST_ACCOUNTS, bob] });
  });
  after(async () => {
    await Promise.all(attackers.map((a) => a.close()));
    await running.close();
  });

  async function atLogin(person: Person) {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp);
    await person.visit(pending.url);
    return pending;
  }

  it('guesses from elsewhere slow the username down; the owner\'s browser that signed in before still signs in', async () => {
    // The owner signs in once from her usual browser: it now holds a device cookie.
    const owner = new Person(running.url);
    const rp = await relyingParty(running.url, spa);
    await owner.signIn((await authorizationRequest(rp)).url, { username: 'alice', password: PASSWORDS.alice });
    assert.ok(owner.cookies.has('idp.device'), 'a device cookie after a successful sign-in');
    owner.cookies.delete('_session');

    // The attack: two addresses, five guesses each; each address is then paused for the name.
    for (const address of ['127.0.0.2', '127.0.0.3']) {
      const attacker = new PersonAt(running.url, address);
      attackers.push(attacker);
      await atLogin(attacker);
      for (let i = 0; i < 5; i++) {
        await attacker.submit('/login', { username: 'alice', password: `guess-${i}` });
        assert.equal(attacker.lastStatus, 401);
      }
      await attacker.submit('/login', { username: 'alice', password: 'guess-x' });
      assert.equal(attacker.lastStatus, 429);
      assert.match(alertOf(attacker.lastPage) ?? '', /paused for 15 minutes/, 'strict per (username, address)');
    }

    // A browser without the cookie is slowed down (at most the 5-minute window), not locked.
    const newBrowser = new Person(running.url);
    await atLogin(newBrowser);
    await newBrowser.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    assert.equal(newBrowser.lastStatus, 429);
    assert.match(alertOf(newBrowser.lastPage) ?? '', /Wait \d+ (seconds?|minutes), then try again/);
    assert.doesNotMatch(alertOf(newBrowser.lastPage) ?? '', /paused/);

    // A third attacker address gets nothing more checked for the name.
    const third = new PersonAt(running.url, '127.0.0.4');
    attackers.push(third);
    await atLogin(third);
    await third.submit('/login', { username: 'alice', password: 'guess-y' });
    assert.equal(third.lastStatus, 429);

    // The owner's browser, with its device cookie, signs in as usual.
    const pending = await authorizationRequest(rp);
    const arrival = await owner.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    assert.ok(arrival.url.searchParams.get('code'), 'the owner is signed in despite the attack');

    // Even behind the attacker's own address (a shared clinic network), paused for the name:
    // the owner's browser is counted only by its device cookie.
    const sameNetwork = new PersonAt(running.url, '127.0.0.2');
    attackers.push(sameNetwork);
    for (const name of ['idp.device', 'idp.device.sig']) sameNetwork.cookies.set(name, owner.cookies.get(name) ?? '');
    const again = await sameNetwork.signIn((await authorizationRequest(rp)).url, { username: 'alice', password: PASSWORDS.alice });
    assert.ok(again.url.searchParams.get('code'), 'signed in from the paused address with the device cookie');
  });

  it('a device cookie counts only for the username that signed in with it, and cannot be made up', async () => {
    const attacker = new PersonAt(running.url, '127.0.0.5');
    attackers.push(attacker);
    const rp = await relyingParty(running.url, spa);
    await attacker.signIn((await authorizationRequest(rp)).url, { username: 'bob', password: PASSWORDS.bob });
    assert.ok(attacker.cookies.has('idp.device'));
    attacker.cookies.delete('_session');
    await atLogin(attacker);
    await attacker.submit('/login', { username: 'alice', password: 'guess-z' });
    assert.equal(attacker.lastStatus, 429, 'bob\'s device cookie does not lift alice\'s slow-down');
    attacker.cookies.set('idp.device', 'made-up.device.1');
    attacker.cookies.set('idp.device.sig', 'forged');
    await attacker.submit('/login', { username: 'alice', password: 'guess-z' });
    assert.equal(attacker.lastStatus, 429, 'an unsigned device cookie is ignored');
  });
});

describe('login answers: no account enumeration', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: staticClients, login: { throttle: { address: { attempts: 1000, window: 60, blockFor: 60 }, accountAddress: { attempts: 1000, window: 60, blockFor: 60 }, account: { attempts: 1000, window: 60 } } } });
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
