// Identity sources, issue 17 (1) and (3): people of a real OpenLDAP directory (slapd started
// here with test entries) sign in through a real relying party, beside the file accounts:
// service bind + search + a bind as the person, attributes mapped to claims (NHI number,
// fhirUser), LDAPS and StartTLS, the throttle before the directory, an outage mid-test
// (a readable page, /readyz naming the source, the file accounts unaffected) and recovery.
// OIDC-8: the consent ledger names the source each person signed in with.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { createLogger } from '../../src/ops/log.js';
import { spa, staticClients } from '../helpers/clients.js';
import { makePki, hasOpenssl, type TestPki } from '../helpers/certs.js';
import { PASSWORDS, TEST_SCOPES } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { accountModuleSource, moduleDir } from '../helpers/plugins.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';
import { BASE_DN, DIRECTORY_PEOPLE, SERVICE_DN, SERVICE_PASSWORD, slapdSkip, startDirectory, type LocalDirectory } from '../helpers/slapd.js';

const skip = slapdSkip();
const hemi = DIRECTORY_PEOPLE.find((p) => p.uid === 'hemi')!;

const SCOPES = { ...TEST_SCOPES, practitioner: { description: 'See your practitioner record', claims: ['fhirUser'] } };

function ldapSource(url: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'ldap' as const,
    id: 'staff',
    label: 'Staff directory',
    url,
    bind: { dn: SERVICE_DN, password: SERVICE_PASSWORD },
    search: { base: `ou=people,${BASE_DN}`, filter: '(&(objectClass=inetOrgPerson)(uid={username}))', scope: 'one' as const },
    subject: 'uid',
    claims: { name: 'cn', given_name: 'givenName', family_name: 'sn', email: 'mail', nhi: 'nhiNumber', fhirUser: 'fhirUser' },
    timeouts: { connect: 1, operation: 2 },
    pool: { size: 2, acquireTimeout: 2 },
    ...extra,
  };
}

async function ledgerOf(running: RunningIdp): Promise<ConsentRecord[]> {
  const out: ConsentRecord[] = [];
  for await (const r of running.idp.ledger.query()) out.push(r);
  return out;
}

const alertOf = (page: string) => /role="alert"[^>]*>([^<]*)</.exec(page)?.[1];

describe('LDAP directory as an identity source', { skip }, () => {
  let directory: LocalDirectory;
  let running: RunningIdp;
  /** every log line and audit event, to show no password ever reaches them */
  const written: string[] = [];
  before(async () => {
    directory = await startDirectory();
    const options = { logger: createLogger('debug', (line) => written.push(line)), auditSink: { write: (e: unknown) => void written.push(JSON.stringify(e)) } };
    running = await startIdp({
      clients: staticClients,
      scopes: SCOPES,
      sources: [ldapSource(directory.url)],
      // Small limits so the throttle test is short; per (username, address) and per username.
      login: { throttle: { accountAddress: { attempts: 4, window: 900, blockFor: 900 } } },
    }, options);
  });
  after(async () => {
    await running?.close();
    await directory?.close();
  });

  async function signIn(username: string, password: string, scope = 'openid profile nhi practitioner') {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope });
    const person = new Person(running.url);
    const arrival = await person.signIn(pending.url, { username, password });
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
    return { rp, tokens, sub: tokens.claims()?.sub ?? '' };
  }

  /** The login page of a fresh authorization request, ready to post to. */
  async function loginPage() {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope: 'openid profile' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    assert.match(person.lastPage, /name="password"/);
    return person;
  }

  it('a directory person signs in (service bind, search, bind as them); attributes become claims incl. NHI and fhirUser', async () => {
    const { rp, tokens, sub } = await signIn('hemi', hemi.password);
    assert.equal(sub, 'staff:hemi', 'the sub is the source id and the subject attribute');
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, sub);
    assert.equal(userinfo.name, 'Hemi Walker');
    assert.equal(userinfo.family_name, 'Walker');
    assert.equal(userinfo.nhi, 'ZZZ0032');
    assert.equal(userinfo.fhirUser, 'Practitioner/hemi-walker');
    assert.equal(userinfo.email, undefined, 'OIDC-3: email was not asked for');
  });

  it('file accounts stay a source with the same sub; the ledger names each sign-in\'s source (OIDC-8)', async () => {
    const { sub } = await signIn('alice', PASSWORDS.alice, 'openid profile');
    assert.equal(sub, 'acct-alice', 'adding a directory does not change a file account\'s sub');
    const records = await ledgerOf(running);
    const bySubject = (id: string) => records.filter((r) => r.accountId === id && r.decision === 'approve');
    assert.equal(bySubject('acct-alice').at(-1)?.request.source, 'file');
    assert.equal(bySubject('staff:hemi').at(-1)?.request.source, 'staff');
  });

  it('a wrong password, a filter injection, an empty password and a person outside the search base all fail alike', async () => {
    const person = await loginPage();
    for (const [username, password] of [
      ['aroha', 'not-her-password'],
      ['*', hemi.password],
      ['hemi)(uid=*', hemi.password],
      ['aroha', ''],
      ['outsider', 'outsider-pass'],
    ] as const) {
      await person.submit('/login', { username, password });
      assert.equal(person.lastStatus, 401, `${username} refused`);
      assert.equal(alertOf(person.lastPage), 'The username or password is not right.');
      assert.ok(!person.lastPage.includes(password) || password === '', 'the password is not echoed');
    }
  });

  it('the throttle answers before the directory is asked: once refused, a directory outage does not even show', async () => {
    const person = await loginPage();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      await person.submit('/login', { username: 'rangi', password: `wrong-${i}` });
      statuses.push(person.lastStatus);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401]);
    await directory.stop();
    try {
      await person.submit('/login', { username: 'rangi', password: 'any-password' });
      // 429, not 503: the refused attempt never reached the (now stopped) directory.
      assert.equal(person.lastStatus, 429);
      assert.match(alertOf(person.lastPage) ?? '', /Too many sign-in attempts/);
    } finally {
      await directory.start();
    }
  });

  it('directory outage mid-test: a readable page, /readyz names the source, file accounts still sign in; then it recovers', async () => {
    await signIn('hemi', hemi.password); // the pool holds live connections now
    const ready = await fetch(`${running.url}/readyz`).then((r) => r.json() as Promise<Record<string, unknown>>);
    assert.equal(ready.status, 'ready');

    await directory.stop();
    try {
      const person = await loginPage();
      await person.submit('/login', { username: 'hemi', password: hemi.password });
      assert.equal(person.lastStatus, 503);
      assert.match(alertOf(person.lastPage) ?? '', /Staff directory cannot be reached right now/);
      assert.doesNotMatch(person.lastPage, /at .*\.ts:\d+|Error:/, 'no stack trace');
      assert.ok(!person.lastPage.includes(hemi.password));

      const readyz = await fetch(`${running.url}/readyz`);
      const body = (await readyz.json()) as Record<string, unknown>;
      assert.equal(readyz.status, 200, 'one directory away does not take every replica out of service');
      assert.equal(body.status, 'degraded');
      assert.deepEqual(body.unreachableSources, ['staff']);

      const { sub } = await signIn('alice', PASSWORDS.alice, 'openid profile');
      assert.equal(sub, 'acct-alice', 'the file accounts do not depend on the directory');
    } finally {
      await directory.start();
    }
    const { sub } = await signIn('hemi', hemi.password);
    assert.equal(sub, 'staff:hemi', 'sign-in works again once the directory is back');
    const after = await fetch(`${running.url}/readyz`).then((r) => r.json() as Promise<Record<string, unknown>>);
    assert.equal(after.status, 'ready');
  });

  it('no password (the person\'s or the service account\'s) in any log line or audit event; sign-ins are audited with their source', () => {
    const all = written.join('\n');
    for (const secret of [hemi.password, SERVICE_PASSWORD, 'aroha-directory-pass', PASSWORDS.alice]) assert.ok(!all.includes(secret), 'a password was written');
    assert.match(all, /"event":"signin.succeeded"[^\n]*"source":"staff"/);
    assert.match(all, /"event":"signin.failed"[^\n]*"reason":"source_unavailable"[^\n]*"source":"staff"/);
  });

});

describe('LDAP directory over TLS', { skip: skip || (!hasOpenssl() && 'openssl missing') }, () => {
  let pki: TestPki;
  let directory: LocalDirectory;
  before(async () => {
    pki = makePki();
    directory = await startDirectory({ pki });
  });
  after(() => directory?.close());

  async function signInWith(source: Record<string, unknown>): Promise<{ status: number; sub?: string }> {
    const running = await startIdp({ clients: staticClients, sources: [source as ReturnType<typeof ldapSource>] });
    try {
      const rp = await relyingParty(running.url, spa);
      const pending = await authorizationRequest(rp, { scope: 'openid profile' });
      const person = new Person(running.url);
      await person.visit(pending.url);
      const arrival = await person.submit('/login', { username: 'hemi', password: hemi.password });
      if (!arrival && person.lastPage.includes('name="decision"')) {
        const back = await person.submit('/confirm', { decision: 'approve' });
        const tokens = await oidc.authorizationCodeGrant(rp, back!.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
        return { status: 200, sub: tokens.claims()?.sub };
      }
      return { status: person.lastStatus };
    } finally {
      await running.close();
    }
  }

  it('ldaps:// with the directory\'s CA', async () => {
    const result = await signInWith(ldapSource(`ldaps://127.0.0.1:${directory.tlsPort}`, { caFile: pki.ca.certFile }));
    assert.deepEqual(result, { status: 200, sub: 'staff:hemi' });
  });

  it('the sub from entryUUID (an operational attribute), so a renamed person keeps it', async () => {
    const result = await signInWith(ldapSource(`ldaps://127.0.0.1:${directory.tlsPort}`, { caFile: pki.ca.certFile, subject: 'entryUUID' }));
    assert.equal(result.status, 200);
    assert.match(result.sub ?? '', /^staff:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('ldap:// upgraded with StartTLS', async () => {
    const result = await signInWith(ldapSource(directory.url, { startTls: true, caFile: pki.ca.certFile }));
    assert.deepEqual(result, { status: 200, sub: 'staff:hemi' });
  });

  it('a directory certificate from a CA we do not trust: unreachable, never a sign-in', async () => {
    const result = await signInWith(ldapSource(`ldaps://127.0.0.1:${directory.tlsPort}`, { caFile: pki.otherCa.certFile }));
    assert.equal(result.status, 503);
  });
});

describe('choosing the source on the login page (login.chooseSource)', { skip }, () => {
  let directory: LocalDirectory;
  let running: RunningIdp;
  before(async () => {
    directory = await startDirectory();
    running = await startIdp({ clients: staticClients, sources: [ldapSource(directory.url)], login: { chooseSource: true } });
  });
  after(async () => {
    await running?.close();
    await directory?.close();
  });

  it('the page lists the sources; only the chosen one is asked', async () => {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope: 'openid profile' });
    const person = new Person(running.url);
    await person.visit(pending.url);
    assert.match(person.lastPage, /<select id="source" name="source">/);
    assert.match(person.lastPage, /<option value="file">Agency accounts<\/option><option value="staff">Staff directory<\/option>/);
    // The directory person, but the file accounts chosen: not found there.
    await person.submit('/login', { username: 'hemi', password: hemi.password, source: 'file' });
    assert.equal(person.lastStatus, 401);
    // The file accounts' person, the directory chosen: not found there either.
    await person.submit('/login', { username: 'alice', password: PASSWORDS.alice, source: 'staff' });
    assert.equal(person.lastStatus, 401);
    const arrival = (await person.submit('/login', { username: 'hemi', password: hemi.password, source: 'staff' })) ?? (await person.submit('/confirm', { decision: 'approve' }));
    assert.ok(arrival, 'signed in with the chosen source');
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    assert.equal(tokens.claims()?.sub, 'staff:hemi');
  });
});

// Issue 17 (4): an agency's account module (plugins.accounts) is one source among the others.
const PLUGIN = accountModuleSource({ dana: { id: 'dir-dana', password: 'dana-module-password', claims: { name: 'Dana Module' } } });

describe('a plug-in account module beside the directory', { skip }, () => {
  let directory: LocalDirectory;
  let running: RunningIdp;
  before(async () => {
    directory = await startDirectory();
    const { dir, module } = moduleDir();
    running = await startIdp({ clients: staticClients, sources: [ldapSource(directory.url)], plugins: { accounts: { path: join(dir, module('accounts.js', PLUGIN)) } } });
  });
  after(async () => {
    await running?.close();
    await directory?.close();
  });

  async function signIn(username: string, password: string) {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope: 'openid profile' });
    const arrival = await new Person(running.url).signIn(pending.url, { username, password });
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    const sub = tokens.claims()?.sub ?? '';
    return { sub, userinfo: await oidc.fetchUserInfo(rp, tokens.access_token, sub) };
  }

  it('the module\'s people keep their own ids; the directory\'s are prefixed; the ledger tells them apart', async () => {
    const dana = await signIn('dana', 'dana-module-password');
    assert.equal(dana.sub, 'dir-dana');
    assert.equal(dana.userinfo.name, 'Dana Module');
    const staff = await signIn('hemi', hemi.password);
    assert.equal(staff.sub, 'staff:hemi');
    assert.equal(staff.userinfo.name, 'Hemi Walker');
    const records = await ledgerOf(running);
    assert.equal(records.find((r) => r.accountId === 'dir-dana')?.request.source, 'plugin');
    assert.equal(records.find((r) => r.accountId === 'staff:hemi')?.request.source, 'staff');
  });
});
