// AUTH-1 (src/policy/rules.ts): second factors and levels of assurance, driven by a real
// relying party (openid-client) and a person without JavaScript: enrolment of an app from
// the QR page's key, codes computed here with otpauth, step-up within a session,
// unmet_authentication_requirements, replayed codes, recovery codes, the shared throttle,
// sealed factor records and audit events without secrets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { AuditEvent, AuditSink } from '../../src/ops/audit.js';
import { spa } from '../helpers/clients.js';
import { accountSignIn, codeFor, consentIfAsked, keyOnPage, MFA, PASSWORD_LEVEL } from '../helpers/factors.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, decodeJwt, relyingParty } from '../helpers/rp.js';

describe('second factors and levels of assurance (AUTH-1)', () => {
  let running: RunningIdp;
  const events: AuditEvent[] = [];
  const sink: AuditSink = { write: (e) => void events.push(e) };
  let secret = '';
  /** when the enrolment's code was made (its step is then used) */
  let enrolledAt = 0;
  let recoveryCodes: string[] = [];

  before(async () => {
    running = await startIdp({ clients: [spa.metadata], login: { throttle: { accountAddress: { attempts: 6, window: 900, blockFor: 900 } } } }, { auditSink: sink });
  });
  after(() => running.close());

  async function begin(params: Record<string, string> = {}, person = new Person(running.url)) {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, params);
    const arrival = await person.visit(pending.url);
    return { rp, pending, person, arrival };
  }

  async function password(person: Person) {
    return person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
  }

  async function idTokenOf(rp: oidc.Configuration, pending: { verifier: string; state: string; nonce: string }, arrival: Awaited<ReturnType<Person['visit']>>) {
    assert.ok(arrival, 'back at the relying party');
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    return decodeJwt(tokens.id_token ?? '');
  }

  it('discovery publishes the levels offered (acr_values_supported)', async () => {
    const meta = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.deepEqual(meta.acr_values_supported, [PASSWORD_LEVEL, MFA]);
  });

  it('a password is the PUBLIC minimum: the ID token says so, with amr and auth_time', async () => {
    const { rp, pending, person } = await begin();
    const arrival = await consentIfAsked(person, await password(person));
    const idToken = await idTokenOf(rp, pending, arrival);
    assert.equal(idToken.acr, PASSWORD_LEVEL);
    assert.deepEqual(idToken.amr, ['pwd']);
    assert.equal(typeof idToken.auth_time, 'number');
  });

  it('acr_values asks for more: a person without a factor enrols an app (QR and key, no JavaScript), keeps recovery codes, and gets the MFA level', async () => {
    const { rp, pending, person } = await begin({ acr_values: MFA });
    assert.equal(await password(person), undefined);
    assert.match(person.lastPage, /<svg role="img" aria-label="QR code/, 'a QR code rendered on the server');
    secret = keyOnPage(person.lastPage);
    assert.equal(await person.submit('/enrol/otp', { code: '000000' === codeFor(secret) ? '111111' : '000000' }), undefined);
    assert.equal(person.lastStatus, 401, 'a wrong code is refused');
    assert.match(person.lastPage, /not right/);
    enrolledAt = Date.now();
    assert.equal(await person.submit('/enrol/otp', { code: codeFor(secret, 0, enrolledAt) }), undefined);
    recoveryCodes = [...person.lastPage.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((m) => m[1] ?? '');
    assert.equal(recoveryCodes.length, 10, 'ten recovery codes shown once');
    const arrival = await consentIfAsked(person, await person.submit('/factor/continue', {}));
    const idToken = await idTokenOf(rp, pending, arrival);
    assert.equal(idToken.acr, MFA);
    assert.deepEqual(idToken.amr, ['pwd', 'otp', 'mfa']);
    const enrolled = events.find((e) => e.event === 'factor.enrolled' && e.method === 'otp');
    assert.equal(enrolled?.subject, 'acct-alice');
    assert.ok(!JSON.stringify(events).includes(secret), 'the secret is in no audit event');
  });

  it('the factor record is sealed in the store (TOK-2): neither the secret nor a recovery code is in it', async () => {
    const raw = (await running.idp.store.dump?.()) ?? [];
    assert.ok(raw.length > 0, 'the memory store can show its raw contents');
    const all = raw.join('\n');
    assert.ok(!all.includes(secret), 'no TOTP secret in clear');
    for (const code of recoveryCodes) assert.ok(!all.includes(code), 'no recovery code in clear');
  });

  it('a code already used is refused (replay within its window); the next one works', async () => {
    const { person } = await begin({ acr_values: MFA });
    await password(person);
    assert.match(person.lastPage, /Code from your authenticator app/);
    // The enrolment used this step's code: it cannot be used again.
    assert.equal(await person.submit('/factor/otp', { code: codeFor(secret, 0, enrolledAt) }), undefined);
    assert.equal(person.lastStatus, 401);
    assert.match(person.lastPage, /already used/);
    const arrival = await consentIfAsked(person, await person.submit('/factor/otp', { code: codeFor(secret, 1, enrolledAt) }));
    assert.ok(arrival, 'the next step\'s code is accepted (clock-drift window)');
    const failed = events.filter((e) => e.event === 'signin.failed' && e.reason === 'second_factor');
    assert.ok(failed.length >= 1, 'failed second factors are audited');
  });

  it('step-up within the session: a signed-in person asked for more gives only the factor, not the password again', async () => {
    const person = new Person(running.url);
    const first = await begin({}, person);
    const firstToken = await idTokenOf(first.rp, first.pending, await consentIfAsked(person, await password(person)));
    assert.equal(firstToken.acr, PASSWORD_LEVEL);

    const { rp, pending, arrival } = await begin({ acr_values: MFA }, person);
    assert.equal(arrival, undefined);
    assert.doesNotMatch(person.lastPage, /name="password"/, 'no password asked again');
    assert.match(person.lastPage, /Use a recovery code instead/);
    const code = recoveryCodes[0] ?? '';
    const back = await consentIfAsked(person, await person.submit('/factor/recovery', { recovery_code: code.toUpperCase() }));
    const idToken = await idTokenOf(rp, pending, back);
    assert.equal(idToken.acr, MFA);
    assert.deepEqual(idToken.amr, ['pwd', 'otp', 'mfa'], 'a recovery code is a one-time password (RFC 8176 otp)');
    assert.ok(Number(idToken.auth_time) >= Number(firstToken.auth_time));

    // The session now holds the level: asking again needs nothing more.
    const again = await begin({ acr_values: MFA }, person);
    assert.ok(await consentIfAsked(person, again.arrival), 'no interaction: the session has the level');
  });

  it('a used recovery code is refused the second time', async () => {
    const { person } = await begin({ acr_values: MFA });
    await password(person);
    assert.equal(await person.submit('/factor/recovery', { recovery_code: recoveryCodes[0] ?? '' }), undefined);
    assert.equal(person.lastStatus, 401);
    assert.match(person.lastPage, /already used/);
  });

  it('a level that is not offered ends in unmet_authentication_requirements; so does cancelling the second step', async () => {
    const { person, arrival: direct } = await begin({ acr_values: 'urn:example:acr:unknown' });
    const first = direct ?? (await password(person));
    assert.equal(first?.url.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.match(first?.url.searchParams.get('error_description') ?? '', /AUTH-1/);

    const second = await begin({ acr_values: MFA });
    await password(second.person);
    const cancelled = await second.person.submit('/factor/cancel', {});
    assert.equal(cancelled?.url.searchParams.get('error'), 'unmet_authentication_requirements');
  });

  it('wrong codes go through the sign-in throttle: past the limit, 429 with Retry-After, even for a right code', async () => {
    const { person } = await begin({ acr_values: MFA });
    await password(person);
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) {
      await person.submit('/factor/otp', { code: '12345' + String(i % 10) });
      status = person.lastStatus;
    }
    assert.equal(status, 429);
    assert.equal(await person.submit('/factor/otp', { code: codeFor(secret, 1) }), undefined);
    assert.equal(person.lastStatus, 429, 'a right code waits too');
    assert.ok(events.some((e) => e.event === 'signin.throttled' && e.method === 'otp'));
  });
});

describe('managing second factors on the account pages (AUTH-1)', () => {
  let running: RunningIdp;
  const events: AuditEvent[] = [];
  let secret = '';
  let addedAt = 0;

  before(async () => {
    running = await startIdp({}, { auditSink: { write: (e) => void events.push(e) } });
  });
  after(() => running.close());

  it('a first factor needs only the sign-in: add an app from its key, see the recovery codes, then the list', async () => {
    const person = await accountSignIn(running.url);
    await person.visit(`${running.url}/account/factors`);
    assert.match(person.lastPage, /None set up/);
    await person.submit('/account/factors/totp/start', {});
    secret = keyOnPage(person.lastPage);
    addedAt = Date.now();
    await person.submit('/account/factors/totp', { code: codeFor(secret, 0, addedAt) });
    assert.match(person.lastPage, /Your new recovery codes/);
    await person.submit('/account/factors/done', {});
    assert.match(person.lastPage, /Set up on/);
    assert.ok(events.some((e) => e.event === 'factor.enrolled' && e.method === 'otp'));
  });

  it('later changes need a recent second factor: without it the page asks for one, and a removal is refused', async () => {
    const person = await accountSignIn(running.url);
    await person.visit(`${running.url}/account/factors`);
    assert.match(person.lastPage, /Confirm it is you/);
    const csrf = /name="csrf" value="([^"]+)"/.exec(person.lastPage)?.[1] ?? '';
    const refused = await person.request(`${running.url}/account/factors/remove`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf, kind: 'otp' }).toString() });
    assert.equal(refused.status, 403);
    assert.ok(!events.some((e) => e.event === 'factor.removed'), 'nothing removed');

    await person.submit('/account/factors/verify', { code: codeFor(secret, 1, addedAt) });
    assert.match(person.lastPage, /Your second factors/);
    await person.submit('/account/factors/remove', { kind: 'otp' });
    assert.match(person.lastPage, /Your change is saved/);
    assert.match(person.lastPage, /None set up/);
    const removed = events.find((e) => e.event === 'factor.removed');
    assert.equal(removed?.subject, 'acct-alice');
    assert.ok(!JSON.stringify(events).includes(secret));
  });
});
