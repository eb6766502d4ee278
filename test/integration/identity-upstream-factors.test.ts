// AUTH-1 (src/policy/rules.ts) with identity sources: a sign-in through an upstream OpenID
// Connect provider whose acr/amr are not trusted counts as the lowest level (amr `fed`). When
// the client needs more, the person does our second factor — or enrols one — exactly as after
// a password, never the password page; where that is impossible the client gets
// unmet_authentication_requirements. A trusted upstream's own amr counts as it says. The
// upstream is a second oidc-provider (test/helpers/upstream-idp.ts); the relying party is
// openid-client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { spa } from '../helpers/clients.js';
import { codeFor, keyOnPage, MFA, PASSWORD_LEVEL } from '../helpers/factors.js';
import { freePort, startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person, type Arrival } from '../helpers/person.js';
import { authorizationRequest, decodeJwt, relyingParty, type PendingAuthorization } from '../helpers/rp.js';
import { startUpstream, UPSTREAM_ACR, type RunningUpstream } from '../helpers/upstream-idp.js';

const SECRET = 'upstream-client-secret-long-enough-0123456789';
describe('upstream sign-ins and the second step (AUTH-1)', () => {
  let running: RunningIdp;
  /** the same sources, but no enrolment during sign-in */
  let strict: RunningIdp;
  let upstream: RunningUpstream;
  let secret = '';
  let enrolledAt = 0;

  before(async () => {
    const upstreamPort = await freePort();
    const issuer = `http://localhost:${upstreamPort}`;
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'health-idp-1', alg: 'ES256' };
    const common = { type: 'oidc' as const, issuer, scope: 'openid profile nhi', claims: { name: 'name', nhi: 'nhi_number' } };
    const sources = [
      // Not trusted for acr/amr: counts as the lowest level.
      { ...common, id: 'mhl', label: 'My Health Login', clientId: 'health-idp', clientAuth: { method: 'client_secret_post' as const, secret: SECRET } },
      // Trusted: its amr (pwd + otp) counts as it says.
      { ...common, id: 'mhl-nhi', label: 'My Health Login (NHI)', clientId: 'health-idp-jwt', clientAuth: { method: 'private_key_jwt' as const, key: JSON.stringify(privateJwk) }, link: { by: 'claim' as const, claim: 'nhi' }, trustAcr: true },
    ];
    running = await startIdp({ clients: [spa.metadata], sources });
    strict = await startIdp({ clients: [spa.metadata], sources, assurance: { enrolAtSignIn: false } });
    const callbacks = (id: string) => [running, strict].map((r) => `${r.url}/interaction/upstream/${id}/callback`);
    upstream = await startUpstream(upstreamPort, [
      { client_id: 'health-idp', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post', redirect_uris: callbacks('mhl'), grant_types: ['authorization_code'], response_types: ['code'] },
      {
        client_id: 'health-idp-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'health-idp-1', alg: 'ES256', use: 'sig' }] },
        redirect_uris: callbacks('mhl-nhi'),
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ]);
  });
  after(async () => {
    await running?.close();
    await strict?.close();
    await upstream?.close();
  });

  /** A request by the test relying party, through "Sign in with <source>" as `who`; the page after our callback. */
  async function viaUpstream(idp: RunningIdp, params: Record<string, string>, sourceId: string, who: string) {
    const rp = await relyingParty(idp.url, spa);
    const pending = await authorizationRequest(rp, params);
    const person = new Person(idp.url);
    await person.visit(pending.url);
    const href = new RegExp(`href="(/interaction/[^"]+/upstream/${sourceId})"`).exec(person.lastPage)?.[1];
    assert.ok(href, `a "Sign in with" link for ${sourceId}`);
    const toUpstream = await person.visit(new URL(href, idp.url));
    assert.ok(toUpstream, 'sent to the upstream');
    const upstreamPerson = new Person(upstream.url);
    let back: Arrival | undefined = await upstreamPerson.visit(toUpstream.url);
    back ??= await upstreamPerson.submit('/interaction/', { login: who, password: 'anything' });
    back ??= await upstreamPerson.submit('/interaction/', {});
    assert.ok(back, 'the upstream sent the person back');
    const arrival = await person.visit(back.url);
    return { rp, pending, person, arrival };
  }

  async function idToken(rp: oidc.Configuration, person: Person, pending: PendingAuthorization, arrival: Arrival | undefined) {
    let at = arrival;
    if (!at && person.lastPage.includes('name="decision"')) at = await person.submit('/confirm', { decision: 'approve' });
    assert.ok(at, `back at the relying party (status ${person.lastStatus}): ${person.lastPage.slice(0, 300)}`);
    assert.equal(at.url.searchParams.get('error'), null, at.url.searchParams.get('error_description') ?? '');
    const tokens = await oidc.authorizationCodeGrant(rp, at.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce });
    return decodeJwt(tokens.id_token ?? '');
  }

  it('AUTH-1: an untrusted upstream sign-in is the lowest level: amr says federated, nothing more', async () => {
    const { rp, pending, person, arrival } = await viaUpstream(running, {}, 'mhl', 'tama');
    const token = await idToken(rp, person, pending, arrival);
    assert.equal(token.sub, 'mhl:tama');
    assert.equal(token.acr, PASSWORD_LEVEL, 'the lowest level offered, not the upstream\'s');
    assert.deepEqual(token.amr, ['fed']);
  });

  it('AUTH-1: when the client needs MFA, the person without a factor enrols ours right after the upstream (not the password page), and the ledger names the source', async () => {
    const { rp, pending, person, arrival } = await viaUpstream(running, { acr_values: MFA }, 'mhl', 'tama');
    assert.equal(arrival, undefined);
    assert.doesNotMatch(person.lastPage, /name="password"/, 'no password page for an upstream sign-in');
    assert.match(person.lastPage, /Set up a second factor/);
    secret = keyOnPage(person.lastPage);
    enrolledAt = Date.now();
    await person.submit('/enrol/otp', { code: codeFor(secret, 0, enrolledAt) });
    const token = await idToken(rp, person, pending, await person.submit('/factor/continue', {}));
    assert.equal(token.acr, MFA);
    assert.deepEqual(token.amr, ['fed', 'otp', 'mfa']);
    const records: ConsentRecord[] = [];
    for await (const r of running.idp.ledger.query()) records.push(r);
    assert.equal(records.filter((r) => r.accountId === 'mhl:tama').at(-1)?.request.source, 'mhl', 'OIDC-8: the source is still recorded after the second step');
  });

  it('AUTH-1: next time, the enrolled factor is asked after the upstream, and the session holds the level', async () => {
    const { rp, pending, person, arrival } = await viaUpstream(running, { acr_values: MFA }, 'mhl', 'tama');
    assert.equal(arrival, undefined);
    assert.match(person.lastPage, /Code from your authenticator app/);
    const token = await idToken(rp, person, pending, await person.submit('/factor/otp', { code: codeFor(secret, 1, enrolledAt) }));
    assert.equal(token.acr, MFA);
    const again = await authorizationRequest(rp, { acr_values: MFA });
    const back = await person.visit(again.url);
    assert.equal((await idToken(rp, person, again, back)).acr, MFA, 'no page: the session has the level');
  });

  it('AUTH-1: a trusted upstream that states pwd + otp reaches MFA on its own: no second step here', async () => {
    const { rp, pending, person, arrival } = await viaUpstream(running, { acr_values: MFA }, 'mhl-nhi', 'alice-at-upstream');
    const token = await idToken(rp, person, pending, arrival);
    assert.equal(token.sub, 'acct-alice');
    assert.deepEqual(token.amr, ['pwd', 'otp']);
    assert.equal(token.acr, UPSTREAM_ACR, 'the trusted upstream\'s own acr');
  });

  it('AUTH-1: where the second factor is impossible (no factor, no enrolment at sign-in) the client gets unmet_authentication_requirements', async () => {
    const { arrival } = await viaUpstream(strict, { acr_values: MFA }, 'mhl', 'tama');
    assert.equal(arrival?.url.searchParams.get('error'), 'unmet_authentication_requirements');
    assert.match(arrival?.url.searchParams.get('error_description') ?? '', /AUTH-1/);
  });
});
