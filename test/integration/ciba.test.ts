// EP-9: CIBA driven by a real relying party (openid-client): /bc-authorize, the person
// answering on the built-in approval page (plain HTML forms, a cookie jar), then poll or
// ping delivery. Ping goes to a tiny HTTPS receiver on a free loopback port whose
// certificate comes from a CA made at test time.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { hashPassword } from '../../src/accounts/password.js';
import { CIBA_GRANT } from '../../src/policy/executors/ciba.js';
import { tokenPolicies } from '../../src/registration/token.js';
import { web } from '../helpers/clients.js';
import { hasOpenssl, makePki, type TestPki } from '../helpers/certs.js';
import { PASSWORDS, TEST_ACCOUNTS } from '../helpers/fixtures.js';
import { freePort, startIdp, type RunningIdp } from '../helpers/idp.js';
import { parseForms, Person } from '../helpers/person.js';
import { relyingParty, type TestClient } from '../helpers/rp.js';

const POLL_SECRET = 'ciba-poll-client-secret-long-enough-0123456789';
const PING_SECRET = 'ciba-ping-client-secret-long-enough-0123456789';
const BOB_PASSWORD = 'bob-test-password-for-ciba';

const pollClient: TestClient = {
  metadata: {
    client_id: 'desk',
    client_name: 'Pharmacy counter',
    classification: 'IN-CONFIDENCE',
    client_secret: POLL_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: [CIBA_GRANT],
    response_types: [],
    redirect_uris: [],
    backchannel_token_delivery_mode: 'poll',
  },
  auth: oidc.ClientSecretPost(POLL_SECRET),
};

interface Notification {
  authorization: string | undefined;
  body: Record<string, unknown>;
}

const noOpenssl = hasOpenssl() ? false : 'CIBA SUITE DID NOT RUN: install openssl (apt-get install -y openssl) for the ping receiver certificate';
if (noOpenssl && process.env.CI === 'true') throw new Error(noOpenssl);
if (noOpenssl) console.error(`\n*** ${noOpenssl} ***\n`);

describe('CIBA (EP-9): /bc-authorize with poll and ping', { skip: noOpenssl }, () => {
  let running: RunningIdp;
  let pki: TestPki;
  let receiver: Server;
  const notifications: Notification[] = [];
  let pingClient: TestClient;

  before(async () => {
    pki = makePki();
    receiver = createServer({ cert: pki.server.cert, key: pki.server.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        notifications.push({ authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> });
        res.writeHead(204).end();
      });
    });
    const receiverPort = await freePort();
    receiver.listen(receiverPort, '127.0.0.1');
    await once(receiver, 'listening');
    pingClient = {
      metadata: {
        ...pollClient.metadata,
        client_id: 'kiosk',
        client_name: 'Clinic kiosk',
        client_secret: PING_SECRET,
        backchannel_token_delivery_mode: 'ping',
        backchannel_client_notification_endpoint: `https://127.0.0.1:${receiverPort}/ciba-notify`,
      },
      auth: oidc.ClientSecretPost(PING_SECRET),
    };
    const bob = { id: 'acct-bob', username: 'bob', passwordHash: await hashPassword(BOB_PASSWORD, { N: 1024, r: 8, p: 1 }), claims: { name: 'Bob Smith' } };
    running = await startIdp({
      features: { ciba: true, registration: true },
      ciba: { loopbackCaFile: pki.ca.certFile },
      accounts: [...TEST_ACCOUNTS, bob],
      clients: [pollClient.metadata, pingClient.metadata, web.metadata],
    });
  });
  after(async () => {
    receiver.close();
    await running.close();
  });

  async function initiate(client: TestClient, params: Record<string, string>) {
    const rp = await relyingParty(running.url, client);
    const response = await oidc.initiateBackchannelAuthentication(rp, { scope: 'openid profile', ...params });
    // The library sends no interval (default 5 s); poll faster in tests.
    return { rp, response: { ...response, interval: 0.2 } };
  }

  async function signedInPerson(username = 'alice', password: string = PASSWORDS.alice): Promise<Person> {
    const person = new Person(running.url);
    await person.visit(new URL('/ciba/approve', running.url));
    assert.equal(person.lastStatus, 200);
    await person.submit('/ciba/approve/sign-in', { username, password });
    assert.equal(person.lastStatus, 200);
    return person;
  }

  /** The decide form of the request showing this binding message. */
  function decideForm(page: string, bindingMessage: string) {
    const section = page.split('<section').find((s) => s.includes(`>${bindingMessage}<`));
    if (!section) return undefined;
    return parseForms(section).find((f) => f.action.endsWith('/ciba/approve/decide'));
  }

  async function answer(person: Person, bindingMessage: string, decision: 'approve' | 'deny'): Promise<void> {
    await person.visit(new URL('/ciba/approve', running.url));
    const form = decideForm(person.lastPage, bindingMessage);
    assert.ok(form, `the request "${bindingMessage}" is listed for the person`);
    await person.visit(new URL(form.action, running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, decision }).toString(),
    });
    assert.equal(person.lastStatus, 200);
  }

  async function pollError(rp: oidc.Configuration, response: oidc.BackchannelAuthenticationResponse): Promise<string> {
    try {
      await oidc.pollBackchannelAuthenticationGrant(rp, response);
    } catch (err) {
      if (err instanceof oidc.ResponseBodyError) return err.error;
      throw err;
    }
    assert.fail('the poll should have failed');
  }

  it('EP-9, EP-10: discovery offers /bc-authorize with poll and ping, and no user codes', async () => {
    const meta = (await (await fetch(new URL('/.well-known/openid-configuration', running.url))).json()) as Record<string, unknown>;
    assert.equal(meta.backchannel_authentication_endpoint, `${running.url}/bc-authorize`);
    assert.deepEqual(meta.backchannel_token_delivery_modes_supported, ['poll', 'ping']);
    assert.equal(meta.backchannel_user_code_parameter_supported, false);
    assert.ok((meta.grant_types_supported as string[]).includes(CIBA_GRANT));
  });

  it('EP-9, OIDC-7: poll mode — the person approves on the approval page, the poll returns tokens', async () => {
    const { rp, response } = await initiate(pollClient, { login_hint: 'alice', binding_message: 'DESK-4821' });
    assert.ok(response.auth_req_id);
    assert.ok(response.expires_in > 0 && response.expires_in <= 300);
    assert.equal(await pollError(rp, { ...response, expires_in: 1 }).catch(() => 'timeout'), 'timeout', 'pending until the person answers');

    const person = await signedInPerson();
    assert.match(person.lastPage, /Pharmacy counter/, 'the client name is shown');
    assert.match(person.lastPage, /DESK-4821/, 'the binding message is shown');
    assert.match(person.lastPage, /See your name and date of birth/, 'the scopes are shown in plain language');
    assert.ok(!person.lastPage.includes(response.auth_req_id), 'the auth_req_id never reaches the page');
    await answer(person, 'DESK-4821', 'approve');
    assert.match(person.lastPage, /you approved the request/);

    const tokens = await oidc.pollBackchannelAuthenticationGrant(rp, response);
    assert.ok(tokens.access_token);
    assert.equal(tokens.claims()?.sub, 'acct-alice');
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice');
    assert.equal(userinfo.name, 'Alice Ngata');
    assert.equal(userinfo.email, undefined, 'OIDC-3: only what was approved');

    assert.equal(await pollError(rp, response), 'invalid_grant', 'TOK-1: the auth_req_id is single-use');

    // OIDC-8: the approval is in the ledger, without the client's auth_req_id.
    const records = [];
    for await (const r of running.idp.ledger.query({ clientId: String(pollClient.metadata.client_id) })) records.push(r);
    const approval = records.find((r) => r.decision === 'approve' && r.request.via === 'ciba');
    assert.ok(approval, 'an approve record');
    assert.equal(approval.accountId, 'acct-alice');
    assert.ok(approval.granted.scopes.includes('profile'));
    assert.ok(approval.grantId);
    assert.ok(!JSON.stringify(records).includes(response.auth_req_id));
  });

  it('OIDC-7: the person declines — the client gets access_denied', async () => {
    const { rp, response } = await initiate(pollClient, { login_hint: 'alice', binding_message: 'DESK-0001' });
    const person = await signedInPerson();
    await answer(person, 'DESK-0001', 'deny');
    assert.match(person.lastPage, /you declined the request/);
    assert.equal(await pollError(rp, response), 'access_denied');
    const records = [];
    for await (const r of running.idp.ledger.query({ clientId: String(pollClient.metadata.client_id) })) records.push(r);
    assert.ok(records.some((r) => r.decision === 'deny' && r.request.via === 'ciba'), 'OIDC-8: the refusal is recorded');
  });

  it('EP-9: ping mode — the receiver is notified, then the token request succeeds', async () => {
    const before = notifications.length;
    const { rp, response } = await initiate(pingClient, { login_hint: 'alice', binding_message: 'KIOSK-77', client_notification_token: 'ping-token-for-this-request-0123456789' });
    const person = await signedInPerson();
    await answer(person, 'KIOSK-77', 'approve');
    const notification = notifications[before];
    assert.ok(notification, 'the client notification endpoint was called');
    assert.equal(notification.authorization, 'Bearer ping-token-for-this-request-0123456789');
    assert.equal(notification.body.auth_req_id, response.auth_req_id);
    const tokens = await oidc.pollBackchannelAuthenticationGrant(rp, response);
    assert.equal(tokens.claims()?.sub, 'acct-alice');
  });

  it('EP-9: ping mode needs a client_notification_token', async () => {
    const rp = await relyingParty(running.url, pingClient);
    await assert.rejects(oidc.initiateBackchannelAuthentication(rp, { scope: 'openid', login_hint: 'alice' }), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'invalid_request');
  });

  it('EP-9: an unknown login_hint is refused with unknown_user_id', async () => {
    const rp = await relyingParty(running.url, pollClient);
    await assert.rejects(oidc.initiateBackchannelAuthentication(rp, { scope: 'openid', login_hint: 'nobody-here' }), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === 'unknown_user_id');
  });

  it('EP-9: login_hint_token, user_code and request_context are refused', async () => {
    const rp = await relyingParty(running.url, pollClient);
    const refused = (params: Record<string, string>, error: string) =>
      assert.rejects(oidc.initiateBackchannelAuthentication(rp, { scope: 'openid', ...params }), (err: unknown) => err instanceof oidc.ResponseBodyError && err.error === error);
    await refused({ login_hint_token: 'x.y.z' }, 'invalid_request');
    await refused({ login_hint: 'alice', user_code: '1234' }, 'invalid_user_code');
    await refused({ login_hint: 'alice', binding_message: '<script>' }, 'invalid_binding_message');
  });

  it('EP-9, GR-2: a client not registered for CIBA is refused at /bc-authorize', async () => {
    const rp = await relyingParty(running.url, web);
    // The library answers invalid_request (not unauthorized_client) for a grant type the client lacks.
    await assert.rejects(oidc.initiateBackchannelAuthentication(rp, { scope: 'openid', login_hint: 'alice' }), (err: unknown) => err instanceof oidc.ResponseBodyError && /not allowed for this client/.test(err.error_description ?? ''));
  });

  it('EP-9: a person sees and answers only their own requests', async () => {
    const { rp, response } = await initiate(pollClient, { login_hint: 'alice', binding_message: 'DESK-ALICE' });
    const bob = await signedInPerson('bob', BOB_PASSWORD);
    assert.ok(!bob.lastPage.includes('DESK-ALICE'), "Alice's request is not on Bob's page");
    const alice = await signedInPerson();
    const form = decideForm(alice.lastPage, 'DESK-ALICE');
    assert.ok(form);
    // Bob replays Alice's form (reference and all) with his own session and CSRF token.
    await bob.visit(new URL('/ciba/approve', running.url));
    const bobCsrf = parseForms(bob.lastPage)[0]?.fields.csrf ?? '';
    await bob.visit(new URL(form.action, running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, csrf: bobCsrf, decision: 'approve' }).toString(),
    });
    assert.match(bob.lastPage, /no longer waiting for you/);
    await answer(alice, 'DESK-ALICE', 'deny');
    assert.equal(await pollError(rp, response), 'access_denied');
  });

  it('EP-9: the approval form is CSRF-protected', async () => {
    await initiate(pollClient, { login_hint: 'alice', binding_message: 'DESK-CSRF' });
    const person = await signedInPerson();
    const form = decideForm(person.lastPage, 'DESK-CSRF');
    assert.ok(form);
    await person.visit(new URL(form.action, running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, csrf: 'forged', decision: 'approve' }).toString(),
    });
    assert.equal(person.lastStatus, 403);
    assert.doesNotMatch(person.lastPage, /at .*\.ts:\d+/, 'no stack trace');
    await answer(person, 'DESK-CSRF', 'deny');
  });

  it('EP-9: a wrong password on the approval page shows one message, no session', async () => {
    const person = new Person(running.url);
    await person.visit(new URL('/ciba/approve', running.url));
    await person.submit('/ciba/approve/sign-in', { username: 'alice', password: 'wrong' });
    assert.equal(person.lastStatus, 401);
    assert.match(person.lastPage, /username or password is not right/);
  });

  it('EP-9: an expired request can no longer be approved, and the poll says so', async () => {
    const { rp, response } = await initiate(pollClient, { login_hint: 'alice', binding_message: 'DESK-LATE', requested_expiry: '1' });
    assert.equal(response.expires_in, 1, 'requested_expiry shortens the lifetime');
    const person = await signedInPerson();
    const form = decideForm(person.lastPage, 'DESK-LATE');
    await sleep(2100);
    if (form) {
      await person.visit(new URL(form.action, running.url), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, decision: 'approve' }).toString(),
      });
      assert.doesNotMatch(person.lastPage, /you approved the request/);
    }
    const error = await pollError(rp, { ...response, expires_in: 5 });
    assert.ok(['expired_token', 'invalid_grant'].includes(error), `refused as expired (${error})`);
  });

  it('GR-2, EP-9: registration refuses a public CIBA client', async () => {
    const iat = await new running.idp.provider.InitialAccessToken({ policies: tokenPolicies({ maxClassification: 'SENSITIVE' }) }).save();
    const res = await fetch(new URL('/register', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` },
      body: JSON.stringify({ classification: 'PUBLIC', token_endpoint_auth_method: 'none', grant_types: [CIBA_GRANT], response_types: [], backchannel_token_delivery_mode: 'poll' }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, 'invalid_client_metadata');
    assert.match(String(body.error_description), /GR-2|EP-9/);
  });

  it('GR-6: registration refuses a SENSITIVE CIBA client with a shared secret', async () => {
    const iat = await new running.idp.provider.InitialAccessToken({ policies: tokenPolicies({ maxClassification: 'SENSITIVE' }) }).save();
    const res = await fetch(new URL('/register', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${iat}` },
      body: JSON.stringify({ classification: 'SENSITIVE', token_endpoint_auth_method: 'client_secret_post', grant_types: [CIBA_GRANT], response_types: [], backchannel_token_delivery_mode: 'poll', dpop_bound_access_tokens: true }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.error, 'invalid_client_metadata');
    assert.match(String(body.error_description), /token_endpoint_auth_method.*(EP-2|GR-6)/);
  });
});
