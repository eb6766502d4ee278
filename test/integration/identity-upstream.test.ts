// Identity sources, issue 17 (2), (3), (5): upstream OpenID Connect providers. A second
// oidc-provider instance (its own login, its own host name) is the upstream; our IdP is its
// relying party (discovery, code + PKCE, state, nonce, client_secret_post or private_key_jwt)
// while a real relying party signs in with us. Linking by upstream `sub` or by a verified
// claim (the NHI number), never by an unverified e-mail; upstream acr/amr only when trusted;
// callbacks single-use and bound to the browser; the ledger names the source (OIDC-8).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { spa, staticClients } from '../helpers/clients.js';
import { freePort, startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person, type Arrival } from '../helpers/person.js';
import { authorizationRequest, decodeJwt, relyingParty } from '../helpers/rp.js';
import { startUpstream, UPSTREAM_ACR, type RunningUpstream } from '../helpers/upstream-idp.js';

const SECRET = 'upstream-client-secret-long-enough-0123456789';

describe('upstream OpenID Connect providers as identity sources', () => {
  let running: RunningIdp;
  let upstream: RunningUpstream;
  let upstreamPort: number;

  before(async () => {
    upstreamPort = await freePort();
    const issuer = `http://localhost:${upstreamPort}`;
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'health-idp-1', alg: 'ES256' };
    const common = { type: 'oidc' as const, issuer, scope: 'openid profile nhi email', claims: { name: 'name', nhi: 'nhi_number', email: 'email' } };
    running = await startIdp({
      clients: staticClients,
      sources: [
        // By upstream subject, with a shared secret; its acr is not trusted.
        { ...common, id: 'mhl', label: 'My Health Login', clientId: 'health-idp', clientAuth: { method: 'client_secret_post', secret: SECRET } },
        // By the NHI number to a local account, with a signed assertion; its acr is trusted.
        { ...common, id: 'mhl-nhi', label: 'My Health Login (NHI)', clientId: 'health-idp-jwt', clientAuth: { method: 'private_key_jwt', key: JSON.stringify(privateJwk) }, link: { by: 'claim', claim: 'nhi' }, trustAcr: true },
        // By e-mail: only ever when the upstream verified it.
        { ...common, id: 'mhl-email', label: 'My Health Login (e-mail)', clientId: 'health-idp', clientAuth: { method: 'client_secret_post', secret: SECRET }, link: { by: 'claim', claim: 'email' } },
      ],
    });
    const callback = (id: string) => `${running.url}/interaction/upstream/${id}/callback`;
    upstream = await startUpstream(upstreamPort, [
      { client_id: 'health-idp', client_secret: SECRET, token_endpoint_auth_method: 'client_secret_post', redirect_uris: [callback('mhl'), callback('mhl-email')], grant_types: ['authorization_code'], response_types: ['code'] },
      {
        client_id: 'health-idp-jwt',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'health-idp-1', alg: 'ES256', use: 'sig' }] },
        redirect_uris: [callback('mhl-nhi')],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ]);
  });
  after(async () => {
    await running?.close();
    await upstream?.close();
  });

  /** Our login page for a fresh request by the test relying party. */
  async function start(scope = 'openid profile nhi') {
    const rp = await relyingParty(running.url, spa);
    const pending = await authorizationRequest(rp, { scope });
    const person = new Person(running.url);
    await person.visit(pending.url);
    return { rp, pending, person };
  }

  /** Click "Sign in with <label>", sign in upstream as `who`; the arrival back at our callback. */
  async function viaUpstream(person: Person, sourceId: string, who: string): Promise<{ callback: URL; upstreamPerson: Person }> {
    const href = new RegExp(`href="(/interaction/[^"]+/upstream/${sourceId})"`).exec(person.lastPage)?.[1];
    assert.ok(href, `a "Sign in with" link for ${sourceId}`);
    const toUpstream = await person.visit(new URL(href, running.url));
    assert.ok(toUpstream && toUpstream.url.origin === upstream.url, 'sent to the upstream');
    const authorize = toUpstream.url.searchParams;
    assert.equal(authorize.get('code_challenge_method'), 'S256', 'GR-8: PKCE S256 to the upstream');
    assert.ok(authorize.get('state') && authorize.get('nonce'), 'EP-3: state and nonce to the upstream');
    // The upstream is another site: its own cookies (another browser profile is the same here).
    const upstreamPerson = new Person(upstream.url);
    let back: Arrival | undefined = await upstreamPerson.visit(toUpstream.url);
    back ??= await upstreamPerson.submit('/interaction/', { login: who, password: 'anything' });
    back ??= await upstreamPerson.submit('/interaction/', {});
    assert.ok(back, `the upstream sent the person back (status ${upstreamPerson.lastStatus})`);
    return { callback: back.url, upstreamPerson };
  }

  async function finishAtRp(person: Person, arrival: Arrival | undefined, rp: oidc.Configuration, pending: { verifier: string; state: string; nonce: string }) {
    let at = arrival;
    if (!at && person.lastPage.includes('name="decision"')) at = await person.submit('/confirm', { decision: 'approve' });
    assert.ok(at, `back at the relying party (status ${person.lastStatus}): ${person.lastPage.slice(0, 200)}`);
    return oidc.authorizationCodeGrant(rp, at.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
  }

  async function ledger(): Promise<ConsentRecord[]> {
    const out: ConsentRecord[] = [];
    for await (const r of running.idp.ledger.query()) out.push(r);
    return out;
  }

  it('the login page offers "Sign in with <label>" for each upstream', async () => {
    const { person } = await start();
    for (const label of ['My Health Login', 'My Health Login (NHI)', 'My Health Login (e-mail)']) assert.ok(person.lastPage.includes(`Sign in with ${label}<`), label);
  });

  it('linked by upstream sub (client_secret_post): claims mapped, upstream acr/amr not trusted, the ledger names the source', async () => {
    const { rp, pending, person } = await start();
    const { callback } = await viaUpstream(person, 'mhl', 'tama');
    assert.equal(callback.origin + callback.pathname, `${running.url}/interaction/upstream/mhl/callback`);
    const tokens = await finishAtRp(person, await person.visit(callback), rp, pending);
    const claims = tokens.claims();
    assert.equal(claims?.sub, 'mhl:tama');
    assert.notEqual(claims?.acr, UPSTREAM_ACR, 'trustAcr is off: the upstream acr does not reach our tokens');
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, 'mhl:tama');
    assert.equal(userinfo.name, 'Tama Rewi');
    assert.equal(userinfo.nhi, 'ZZZ0048');
    const record = (await ledger()).filter((r) => r.accountId === 'mhl:tama').at(-1);
    assert.equal(record?.decision, 'approve', 'OIDC-7: consent asked as for anyone');
    assert.equal(record?.request.source, 'mhl', 'OIDC-8: the source is recorded');
    assert.equal(record?.request.acr, 'urn:health-idp:acr:password', 'trustAcr is off: not the upstream acr, the lowest level offered (AUTH-1, identity-upstream-factors.test.ts)');
  });

  it('linked by a verified claim (NHI) to a file account with private_key_jwt; a trusted upstream acr reaches our session', async () => {
    const { rp, pending, person } = await start();
    const { callback } = await viaUpstream(person, 'mhl-nhi', 'alice-at-upstream');
    const tokens = await finishAtRp(person, await person.visit(callback), rp, pending);
    const idToken = decodeJwt(tokens.id_token ?? '');
    assert.equal(idToken.sub, 'acct-alice', 'the local account, whose sub did not change');
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, 'acct-alice');
    assert.equal(userinfo.name, 'Alice Ngata', 'claims are the local account\'s');
    const record = (await ledger()).filter((r) => r.accountId === 'acct-alice').at(-1);
    assert.equal(record?.request.source, 'mhl-nhi');
    // The session's assurance (recorded with the consent) is the upstream's: trustAcr is on.
    assert.equal(record?.request.acr, UPSTREAM_ACR);

    // Later in the same session (no new sign-in), a consent still names the source the
    // person signed in with, not the home of the account (the file accounts).
    const again = await authorizationRequest(rp, { scope: 'openid profile', prompt: 'consent' });
    await finishAtRp(person, await person.visit(again.url), rp, again);
    const later = (await ledger()).filter((r) => r.accountId === 'acct-alice');
    assert.equal(later.length, 2, 'a second consent was asked and recorded');
    assert.equal(later.at(-1)?.request.source, 'mhl-nhi');
  });

  it('never linked by an unverified e-mail: a readable refusal, no sign-in', async () => {
    const { person } = await start();
    const { callback } = await viaUpstream(person, 'mhl-email', 'mallory');
    const arrival = await person.visit(callback);
    assert.equal(arrival, undefined);
    assert.equal(person.lastStatus, 403);
    assert.match(person.lastPage, /No account found/);
    assert.match(person.lastPage, /Back to the sign-in page/);
  });

  it('a callback is single-use and bound to the browser that started it', async () => {
    const { person } = await start();
    const { callback } = await viaUpstream(person, 'mhl', 'tama');
    // Another browser (no binding cookie) presenting the code: refused, and the state is spent.
    const other = new Person(running.url);
    assert.equal(await other.visit(callback), undefined);
    assert.equal(other.lastStatus, 400);
    assert.match(other.lastPage, /This sign-in has expired/);
    // The right browser afterwards: the state was taken once, so nothing from the code is used.
    assert.equal(await person.visit(callback), undefined);
    assert.equal(person.lastStatus, 400);
  });

  // Last: the upstream stays down.
  it('an upstream that stops answering: a page naming it, never a stack trace', async () => {
    const { person } = await start();
    const { callback } = await viaUpstream(person, 'mhl', 'tama');
    await upstream.close();
    // The code cannot be exchanged: the upstream is away, not the person's fault.
    assert.equal(await person.visit(callback), undefined);
    assert.equal(person.lastStatus, 503);
    assert.match(person.lastPage, /My Health Login is not answering/);
    assert.match(person.lastPage, /Back to the sign-in page/);
    assert.doesNotMatch(person.lastPage, /ECONNREFUSED|fetch failed|at .*\.ts:\d+/);
  });
});
