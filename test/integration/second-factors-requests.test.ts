// AUTH-1 (src/policy/rules.ts): what a client asks of the sign-in — max_age and an essential
// acr in the claims parameter — driven by a real relying party (openid-client, which itself
// checks auth_time against max_age) and a person without JavaScript. The session's level is
// never assumed: a fresh sign-in forced by max_age counts only what was done in it.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { spa } from '../helpers/clients.js';
import { codeFor, consentIfAsked as approveIfAsked, keyOnPage, MFA, PASSWORD_LEVEL } from '../helpers/factors.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person, type Arrival } from '../helpers/person.js';
import { authorizationRequest, decodeJwt, relyingParty, type PendingAuthorization } from '../helpers/rp.js';

const epoch = () => Math.floor(Date.now() / 1000);

describe('max_age: a fresh sign-in within the session, with the second factor again (AUTH-1)', () => {
  let running: RunningIdp;
  let rp: oidc.Configuration;
  let secret = '';
  /** the TOTP steps already used (one code is accepted once) */
  let nextStep = 0;
  let enrolledAt = 0;
  let recoveryCodes: string[] = [];
  const person = new Person('');

  before(async () => {
    running = await startIdp({ clients: [spa.metadata] });
    rp = await relyingParty(running.url, spa);
    Object.assign(person, new Person(running.url));
  });
  after(() => running.close());

  async function start(params: Record<string, string>) {
    const pending = await authorizationRequest(rp, params);
    return { pending, arrival: await person.visit(pending.url) };
  }

  const consentIfAsked = (arrival: Arrival | undefined) => approveIfAsked(person, arrival);

  async function idToken(pending: PendingAuthorization, arrival: Arrival | undefined, maxAge?: number) {
    assert.ok(arrival, `back at the relying party (page: ${person.lastPage.slice(0, 200)})`);
    assert.equal(arrival.url.searchParams.get('error'), null, arrival.url.searchParams.get('error_description') ?? '');
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, ...(maxAge !== undefined ? { maxAge } : {}) });
    return decodeJwt(tokens.id_token ?? '');
  }

  it('first sign-in at the MFA level: password, then a one-time-code app set up on the spot', async () => {
    const { pending } = await start({ acr_values: MFA });
    await person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    secret = keyOnPage(person.lastPage);
    enrolledAt = Date.now();
    await person.submit('/enrol/otp', { code: codeFor(secret, nextStep++, enrolledAt) });
    recoveryCodes = [...person.lastPage.matchAll(/<li>([a-z0-9]{5}-[a-z0-9]{5})<\/li>/g)].map((m) => m[1] ?? '');
    const token = await idToken(pending, await consentIfAsked(await person.submit('/factor/continue', {})));
    assert.equal(token.acr, MFA);
  });

  it('within max_age the session is enough: no page, auth_time is the sign-in\'s', async () => {
    const before = epoch();
    const { pending, arrival } = await start({ acr_values: MFA, max_age: '300' });
    const token = await idToken(pending, await consentIfAsked(arrival), 300);
    assert.equal(token.acr, MFA);
    assert.ok(Number(token.auth_time) <= before, 'auth_time is when the person signed in, not now');
  });

  it('past max_age at the MFA level: the password and the second factor are both asked again; auth_time is the fresh sign-in', async () => {
    await sleep(2100);
    const { pending, arrival } = await start({ acr_values: MFA, max_age: '1' });
    assert.equal(arrival, undefined);
    assert.match(person.lastPage, /name="password"/, 'the password is asked again');
    const signedAt = epoch();
    assert.equal(await person.submit('/login', { username: 'alice', password: PASSWORDS.alice }), undefined, 'the session\'s earlier factor is not taken as done');
    assert.match(person.lastPage, /Code from your authenticator app/);
    const token = await idToken(pending, await consentIfAsked(await person.submit('/factor/otp', { code: codeFor(secret, nextStep++, enrolledAt) })), 1);
    assert.equal(token.acr, MFA);
    assert.deepEqual(token.amr, ['pwd', 'otp', 'mfa']);
    assert.ok(Number(token.auth_time) >= signedAt, 'auth_time is the fresh sign-in');
  });

  it('past max_age at the password level: the fresh sign-in is password only, and the ID token says so (not the earlier MFA)', async () => {
    await sleep(2100);
    const { pending } = await start({ max_age: '1' });
    assert.match(person.lastPage, /name="password"/);
    const signedAt = epoch();
    const token = await idToken(pending, await consentIfAsked(await person.submit('/login', { username: 'alice', password: PASSWORDS.alice })), 1);
    assert.equal(token.acr, PASSWORD_LEVEL);
    assert.deepEqual(token.amr, ['pwd']);
    assert.ok(Number(token.auth_time) >= signedAt);
  });

  it('and the session holds only that: asking for MFA now asks for the factor again', async () => {
    const { pending, arrival } = await start({ acr_values: MFA });
    assert.equal(arrival, undefined);
    assert.doesNotMatch(person.lastPage, /name="password"/, 'the password was just done');
    assert.match(person.lastPage, /Code from your authenticator app/);
    // A recovery code: the app's next code is outside the window of the enrolment's time.
    const token = await idToken(pending, await consentIfAsked(await person.submit('/factor/recovery', { recovery_code: recoveryCodes[0] ?? '' })));
    assert.equal(token.acr, MFA);
  });
});

describe('the claims parameter: acr only (OIDC-3), an essential acr steps up (AUTH-1)', () => {
  let running: RunningIdp;
  let rp: oidc.Configuration;
  let person: Person;

  before(async () => {
    running = await startIdp({ clients: [spa.metadata] });
    rp = await relyingParty(running.url, spa);
    person = new Person(running.url);
  });
  after(() => running.close());

  const claims = (value: unknown) => JSON.stringify(value);

  const consentIfAsked = (arrival: Arrival | undefined) => approveIfAsked(person, arrival);

  async function idToken(pending: PendingAuthorization, arrival: Arrival | undefined) {
    assert.ok(arrival, `back at the relying party (page: ${person.lastPage.slice(0, 200)})`);
    assert.equal(arrival.url.searchParams.get('error'), null, arrival.url.searchParams.get('error_description') ?? '');
    const tokens = await oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    return decodeJwt(tokens.id_token ?? '');
  }

  it('OIDC-3: discovery says the claims parameter is supported (for acr)', async () => {
    const meta = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    assert.equal(meta.claims_parameter_supported, true);
  });

  for (const [name, asked, claim] of [
    ['an identity claim in the ID token', { id_token: { acr: null, email: { essential: true } } }, 'id_token.email'],
    ['a claim from /userinfo', { userinfo: { nhi: null } }, 'userinfo.nhi'],
  ] as const) {
    it(`OIDC-3: ${name} is refused with invalid_request naming the claim and the rule`, async () => {
      const pending = await authorizationRequest(rp, { claims: claims(asked) });
      const arrival = await new Person(running.url).visit(pending.url);
      assert.equal(arrival?.url.searchParams.get('error'), 'invalid_request');
      const description = arrival?.url.searchParams.get('error_description') ?? '';
      assert.ok(description.includes(claim), description);
      assert.match(description, /OIDC-3/);
    });
  }

  it('AUTH-1: a password sign-in is enough without an acr request; the session is at the password level', async () => {
    const pending = await authorizationRequest(rp, { claims: claims({ id_token: { acr: null } }) });
    await person.visit(pending.url);
    const token = await idToken(pending, await consentIfAsked(await person.submit('/login', { username: 'alice', password: PASSWORDS.alice })));
    assert.equal(token.acr, PASSWORD_LEVEL);
  });

  it('AUTH-1: an essential acr with the MFA level steps the session up (the factor only, no password again)', async () => {
    const pending = await authorizationRequest(rp, { claims: claims({ id_token: { acr: { essential: true, values: [MFA] } } }) });
    assert.equal(await person.visit(pending.url), undefined);
    assert.doesNotMatch(person.lastPage, /name="password"/, 'the password was done in this session');
    assert.match(person.lastPage, /Set up a second factor/);
    const secret = keyOnPage(person.lastPage);
    await person.submit('/enrol/otp', { code: codeFor(secret) });
    const token = await idToken(pending, await consentIfAsked(await person.submit('/factor/continue', {})));
    assert.equal(token.acr, MFA);
    assert.deepEqual(token.amr, ['pwd', 'otp', 'mfa']);
  });

  it('AUTH-1: an essential single value works the same, and the session now has it (no page at all)', async () => {
    const pending = await authorizationRequest(rp, { claims: claims({ id_token: { acr: { essential: true, value: MFA } } }) });
    const token = await idToken(pending, await consentIfAsked(await person.visit(pending.url)));
    assert.equal(token.acr, MFA);
  });

  it('AUTH-1: levels are ordered: a session at MFA meets an essential request for the password level (no page, no loop back to the login)', async () => {
    const pending = await authorizationRequest(rp, { claims: claims({ id_token: { acr: { essential: true, values: [PASSWORD_LEVEL] } } }) });
    const token = await idToken(pending, await consentIfAsked(await person.visit(pending.url)));
    assert.equal(token.acr, MFA, 'the level the session holds, which includes the one asked');
  });

  it('AUTH-1: an essential acr this deployment does not offer ends in unmet_authentication_requirements', async () => {
    const pending = await authorizationRequest(rp, { claims: claims({ id_token: { acr: { essential: true, values: ['urn:example:acr:unknown'] } } }) });
    const arrival = await person.visit(pending.url);
    assert.equal(arrival?.url.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.match(arrival?.url.searchParams.get('error_description') ?? '', /AUTH-1/);
  });
});
