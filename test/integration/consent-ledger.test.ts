// OIDC-7, OIDC-8: consent decisions through a real relying party (openid-client) and a
// person submitting the forms: exactly one ledger record per decision, with its
// parameters; granular consent; remembered consent; withdrawal; a ledger that fails.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import * as oidc from 'openid-client';
import type { ConsentLedger, ConsentRecord } from '../../src/consent/ledger.js';
import { createMemoryLedger } from '../../src/consent/memory-ledger.js';
import { dayOf } from '../../src/web/dates.js';
import { spa, staticClients, web } from '../helpers/clients.js';
import { PASSWORDS, REDIRECT } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { parseForms, Person, type Arrival } from '../helpers/person.js';
import { authorizationRequest, callbackInput, relyingParty, type TestClient } from '../helpers/rp.js';

const EXPORT_TOKEN = 'operator-export-token-0123456789abcdefghijklmnopqrstuvwxyz';

async function records(ledger: ConsentLedger, filter = {}): Promise<ConsentRecord[]> {
  const out: ConsentRecord[] = [];
  for await (const r of ledger.query(filter)) out.push(r);
  return out;
}

/** Sign in and stop at the consent page (or at the RP if nothing is asked). */
async function toConsent(person: Person, url: URL): Promise<Arrival | undefined> {
  const arrival = await person.visit(url);
  if (arrival || !person.lastPage.includes('name="password"')) return arrival;
  return person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
}

/** Submit the consent form with exactly these optional lines ticked. */
async function decide(person: Person, decision: 'approve' | 'deny', ticked?: string[]): Promise<Arrival | undefined> {
  const form = parseForms(person.lastPage).find((f) => f.action.includes('/confirm'));
  assert.ok(form, `a consent form (status ${person.lastStatus})`);
  const body = new URLSearchParams({ csrf: form.fields.csrf ?? '', decision });
  const boxes = [...person.lastPage.matchAll(/name="allow" value="([^"]+)"/g)].map((m) => m[1] ?? '');
  for (const value of ticked ?? boxes) body.append('allow', value);
  return person.visit(new URL(form.action, person.idpOrigin), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
}

describe('consent ledger through a real relying party (OIDC-7, OIDC-8)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: staticClients, consent: { exportToken: EXPORT_TOKEN } });
  });
  after(() => running.close());

  async function start(client: TestClient, params: Record<string, string>) {
    const rp = await relyingParty(running.url, client);
    const pending = await authorizationRequest(rp, client.hybrid ? { response_mode: 'form_post', ...params } : params);
    return { rp, pending };
  }

  async function tokensFor(client: TestClient, rp: oidc.Configuration, pending: Awaited<ReturnType<typeof start>>['pending'], arrival: Arrival) {
    return oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: Boolean(client.hybrid) });
  }

  it('OIDC-8: an approval is one record with its parameters, written before the grant is used', async () => {
    const before = (await records(running.idp.ledger)).length;
    const { rp, pending } = await start(web, { scope: 'openid profile email offline_access', prompt: 'consent' });
    const person = new Person(running.url);
    assert.equal(await toConsent(person, pending.url), undefined);
    assert.match(person.lastPage, /required/);
    assert.match(person.lastPage, /See your email address/, 'OIDC-6: the deployment file\'s plain-language description');
    const shown = /Your choice is kept until ([^<]+?) and you can withdraw it/.exec(person.lastPage)?.[1];
    const arrival = await decide(person, 'approve');
    assert.ok(arrival?.form, 'back at the RP');
    const tokens = await tokensFor(web, rp, pending, arrival);
    const all = await records(running.idp.ledger);
    assert.equal(all.length, before + 1, 'exactly one record');
    const r = all.at(-1) as ConsentRecord;
    assert.equal(r.decision, 'approve');
    assert.equal(r.accountId, 'acct-alice');
    assert.deepEqual(r.client, { id: 'web', name: 'Clinic portal', classification: 'IN-CONFIDENCE' });
    assert.deepEqual([...r.asked.scopes].sort(), ['email', 'offline_access', 'openid', 'profile']);
    assert.deepEqual(r.granted.scopes, r.asked.scopes);
    assert.ok(r.granted.claims.includes('email') && r.granted.claims.includes('birthdate'));
    assert.equal(r.request.redirectUri, REDIRECT);
    assert.equal(r.request.responseType, 'code id_token');
    assert.equal(r.request.responseMode, 'form_post');
    assert.equal(r.request.par, false);
    assert.ok(r.grantId, 'grant id');
    const grant = await running.idp.provider.Grant.find(r.grantId);
    assert.ok(grant, 'the recorded grant is the one in use');
    assert.equal(grant.exp, Math.floor(Date.parse(r.expiresAt ?? '') / 1000), 'expiry recorded');
    assert.ok(Date.parse(r.expiresAt ?? '') - Date.now() > 89 * 86400_000, 'default expiry 90 days');
    // The page said until when the choice is kept: the grant's expiry day (the page is
    // drawn a moment before the grant is made, so a day earlier across midnight UTC).
    const expiry = Date.parse(r.expiresAt ?? '');
    const days = [expiry, expiry - 86400_000].map((t) => dayOf(new Date(t)));
    assert.ok(shown && days.includes(shown), `the consent page shows the expiry day (${String(shown)}, expected ${days[0] ?? ''})`);
    assert.ok(r.correlationId.length >= 8);
    assert.match(r.consentText, /^sha256:[0-9a-f]{16}$/);
    assert.ok(tokens.refresh_token);
  });

  it('OIDC-7: unticking an optional scope grants exactly the rest (partial), and the tokens follow', async () => {
    const { rp, pending } = await start(web, { scope: 'openid profile email', prompt: 'consent' });
    const person = new Person(running.url);
    await toConsent(person, pending.url);
    const arrival = await decide(person, 'approve', []);
    assert.ok(arrival);
    const tokens = await tokensFor(web, rp, pending, arrival);
    const r = (await records(running.idp.ledger)).at(-1) as ConsentRecord;
    assert.equal(r.decision, 'partial');
    assert.ok(r.asked.scopes.includes('email'));
    assert.ok(!r.granted.scopes.includes('email'));
    assert.ok(!r.holds.scopes.includes('email'));
    assert.ok(!r.granted.claims.includes('email'));
    assert.ok(!tokens.scope?.split(' ').includes('email'), 'the token has no email scope');
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice');
    assert.equal(userinfo.email, undefined, 'OIDC-3: the unticked claim is not released');
    assert.equal(userinfo.name, 'Alice Ngata');
  });

  it('OIDC-7: a deny is one record, nothing granted, and the client gets access_denied', async () => {
    const before = (await records(running.idp.ledger, { clientId: 'spa' })).length;
    const { pending } = await start(spa, { scope: 'openid profile' });
    const person = new Person(running.url);
    await toConsent(person, pending.url);
    const arrival = await decide(person, 'deny');
    assert.equal(arrival?.url.searchParams.get('error'), 'access_denied');
    const mine = await records(running.idp.ledger, { clientId: 'spa' });
    assert.equal(mine.length, before + 1);
    const r = mine.at(-1) as ConsentRecord;
    assert.equal(r.decision, 'deny');
    assert.deepEqual(r.granted.scopes, []);
    assert.equal(r.request.responseType, 'code');
  });

  it('OIDC-8: a request through PAR is recorded as such', async () => {
    const rp = await relyingParty(running.url, spa);
    const verifier = oidc.randomPKCECodeVerifier();
    const url = await oidc.buildAuthorizationUrlWithPAR(rp, {
      redirect_uri: REDIRECT, scope: 'openid email', state: oidc.randomState(), nonce: oidc.randomNonce(),
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', prompt: 'consent',
    });
    const person = new Person(running.url);
    await toConsent(person, url);
    const arrival = await decide(person, 'approve');
    assert.ok(arrival?.url.searchParams.get('code'));
    const r = (await records(running.idp.ledger)).at(-1) as ConsentRecord;
    assert.equal(r.client.id, 'spa');
    assert.equal(r.request.par, true);
    assert.equal(r.request.redirectUri, REDIRECT);
  });

  it('OIDC-7: a remembered consent is not asked again in a new session; more asks only the difference', async () => {
    // Bob-less fixture: alice on a client she has not used in this suite yet.
    const client: TestClient = { ...web, metadata: { ...web.metadata } };
    const first = await start(client, { scope: 'openid profile' });
    const p1 = new Person(running.url);
    await toConsent(p1, first.pending.url);
    const count = (await records(running.idp.ledger)).length;
    // The earlier tests left a grant for `web` holding profile: nothing to ask.
    assert.ok(!p1.lastPage.includes('/confirm'), 'no consent page for what is already granted');
    assert.equal((await records(running.idp.ledger)).length, count);

    // A new browser (new session), asking for more: only nhi is asked.
    const more = await start(client, { scope: 'openid profile nhi' });
    const p2 = new Person(running.url);
    await toConsent(p2, more.pending.url);
    assert.match(p2.lastPage, /National Health Index/);
    assert.match(p2.lastPage, /You have already allowed it to/);
    const arrival = await decide(p2, 'approve');
    assert.ok(arrival);
    const r = (await records(running.idp.ledger)).at(-1) as ConsentRecord;
    assert.deepEqual(r.asked.scopes, ['nhi'], 'asked only the difference');
    assert.ok(r.holds.scopes.includes('profile') && r.holds.scopes.includes('nhi'));
    const tokens = await tokensFor(client, more.rp, more.pending, arrival);
    assert.ok(tokens.scope?.split(' ').includes('nhi'));
  });

  it('OIDC-7, OIDC-8: withdrawing on the consents page is recorded and the refresh token stops at once', async () => {
    const { rp, pending } = await start(web, { scope: 'openid profile offline_access', prompt: 'consent' });
    const person = new Person(running.url);
    await toConsent(person, pending.url);
    const arrival = await decide(person, 'approve');
    assert.ok(arrival);
    const tokens = await tokensFor(web, rp, pending, arrival);
    assert.ok(tokens.refresh_token);

    const account = new Person(running.url);
    await account.visit(`${running.url}/account/consents`);
    assert.match(account.lastPage, /name="password"/, 'the consents page asks the person to sign in');
    await account.submit('/account/login', { username: 'alice', password: PASSWORDS.alice });
    assert.match(account.lastPage, /<h1>Your consents<\/h1>/);
    assert.match(account.lastPage, /Clinic portal/);
    assert.match(account.lastPage, /Allowed since/);
    const form = parseForms(account.lastPage).find((f) => f.fields.client_id === 'web');
    assert.ok(form);
    const before = (await records(running.idp.ledger)).length;
    await account.visit(new URL(form.action, running.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form.fields).toString() });
    assert.match(account.lastPage, /You withdrew your consent for <strong>Clinic portal<\/strong>/);
    const all = await records(running.idp.ledger);
    assert.equal(all.length, before + 1);
    const r = all.at(-1) as ConsentRecord;
    assert.equal(r.decision, 'withdraw');
    assert.equal(r.client.id, 'web');
    assert.equal(r.request.via, 'account');
    assert.ok(r.asked.scopes.includes('offline_access'), 'what was withdrawn');
    assert.deepEqual(r.holds.scopes, []);
    assert.equal(await running.idp.provider.Grant.find(r.grantId ?? ''), undefined, 'grant gone');
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token), (err: { error?: string }) => err.error === 'invalid_grant');
    await assert.rejects(oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice'), 'the opaque access token is revoked too');
    assert.doesNotMatch(account.lastPage, /Withdraw consent for Clinic portal/);

    // The next sign-in asks again.
    const again = await start(web, { scope: 'openid profile' });
    const p = new Person(running.url);
    await toConsent(p, again.pending.url);
    assert.match(p.lastPage, /\/confirm/, 'consent asked again after withdrawal');
  });

  it('the consents page and its forms need a sign-in and a CSRF token', async () => {
    const person = new Person(running.url);
    const res = await person.request(`${running.url}/account/consents/withdraw`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=web' });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /The form could not be used/);
  });

  it('OIDC-8: the ledger exports as JSON Lines for the operator, filtered, with the token only', async () => {
    const res = await fetch(`${running.url}/admin/consent-ledger?client=web`, { headers: { authorization: `Bearer ${EXPORT_TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /ndjson/);
    const lines = (await res.text()).trim().split('\n').map((l) => JSON.parse(l) as ConsentRecord);
    assert.ok(lines.length >= 3);
    assert.ok(lines.every((l) => l.client.id === 'web'));
    const denied = await fetch(`${running.url}/admin/consent-ledger`, { headers: { authorization: 'Bearer wrong' } });
    assert.equal(denied.status, 401);
    const future = await fetch(`${running.url}/admin/consent-ledger?since=2999-01-01`, { headers: { authorization: `Bearer ${EXPORT_TOKEN}` } });
    assert.equal((await future.text()).trim(), '');

    // The operator command, against this running IdP.
    const dir = mkdtempSync(join(tmpdir(), 'consent-export-'));
    const path = join(dir, 'deploy.json');
    writeFileSync(path, JSON.stringify({ mode: 'development', issuer: running.url, consent: { exportToken: { env: 'TEST_EXPORT_TOKEN' } } }));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/consent/export.ts', '--config', path, '--account', 'acct-alice', '--client', 'spa'], { env: { ...process.env, TEST_EXPORT_TOKEN: EXPORT_TOKEN } });
    const exported = stdout.trim().split('\n').map((l) => JSON.parse(l) as ConsentRecord);
    assert.ok(exported.length >= 2);
    assert.ok(exported.every((l) => l.client.id === 'spa' && l.accountId === 'acct-alice'));
  });
});

describe('a ledger that cannot write stops the consent (OIDC-8)', () => {
  let running: RunningIdp;
  let failing = true;
  before(async () => {
    const real = createMemoryLedger({ retention: 3600, maxRecords: 100 });
    const ledger: ConsentLedger = {
      kind: 'memory',
      append: (r) => (failing ? Promise.reject(new Error('disk on fire')) : real.append(r)),
      query: (f) => real.query(f),
      close: () => real.close(),
    };
    running = await startIdp({ clients: staticClients }, { ledger });
  });
  after(() => running.close());

  it('OIDC-8: no record, no grant, no code; the person sees a readable page', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope: 'openid profile' });
    const person = new Person(running.url);
    await toConsent(person, pending.url);
    const arrival = await decide(person, 'approve');
    assert.equal(arrival, undefined, 'the flow did not go back to the client');
    assert.equal(person.lastStatus, 503);
    assert.match(person.lastPage, /<h1>Your choice could not be saved<\/h1>/);
    assert.doesNotMatch(person.lastPage, /disk on fire|at .*\.ts:\d+/, 'no internals');
    assert.equal((await records(running.idp.ledger)).length, 0);

    // A deny is stopped the same way.
    await person.visit(pending.url);
    const denied = await decide(person, 'deny');
    assert.equal(denied, undefined);
    assert.equal(person.lastStatus, 503);

    // Once the ledger works again, the same sign-in page can go on.
    failing = false;
    await person.visit(pending.url);
    const ok = await decide(person, 'approve');
    assert.ok(ok?.url.searchParams.get('code'));
    assert.equal((await records(running.idp.ledger)).length, 1);
  });
});
