// Two IdP processes on one Redis (issue 4, item 7): flows that cross them, DPoP nonces
// one hands out and the other accepts, revocation seen by both, and a code redeemed 100
// times in parallel across both (TOK-1).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { allClients, sensitive, spa, web } from '../helpers/clients.js';
import { API, PASSWORDS, REDIRECT } from '../helpers/fixtures.js';
import { Person } from '../helpers/person.js';
import { redisSkip } from '../helpers/redis-server.js';
import { startReplicasOnRedis, via, type ReplicaName, type ReplicasOnRedis, type ReplicaSet, SERVED_BY_HEADER } from '../helpers/replicas.js';
import { authorizationRequest, callbackInput, pushedAuthorizationRequest, relyingParty, type TestClient } from '../helpers/rp.js';

const skip = redisSkip();

void describe('two IdP replicas on one Redis', { skip }, () => {
  let replicas: ReplicasOnRedis;
  let set: ReplicaSet;

  before(async () => {
    replicas = await startReplicasOnRedis({ clients: allClients });
    ({ set } = replicas);
  });
  after(() => replicas?.close());

  /** Run `step` with every request that names no replica sent to `replica`; the requests it made. */
  async function at<T>(replica: ReplicaName, step: () => Promise<T>): Promise<T> {
    set.proxy.route = replica;
    return step();
  }

  /** The replicas that served requests to `path` since index `from` of the proxy log. */
  function servedBy(from: number, path: string | RegExp): ReplicaName[] {
    return set.proxy.served
      .slice(from)
      .filter((s) => (typeof path === 'string' ? s.path === path : path.test(s.path)))
      .map((s) => s.replica);
  }

  async function signedInWeb(scope = 'openid offline_access') {
    const rp = await relyingParty(set.issuer, web);
    const pending = await authorizationRequest(rp, { response_mode: 'form_post', scope, prompt: 'consent' });
    const arrival = await new Person(set.issuer).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice });
    return { rp, pending, arrival };
  }

  async function introspect(replica: ReplicaName, token: string, client: TestClient = web): Promise<boolean> {
    const res = await fetch(
      new URL('/introspect', set.issuer),
      via(replica, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token, client_id: client.metadata.client_id, client_secret: String(client.metadata.client_secret) }),
      }),
    );
    assert.equal(res.headers.get(SERVED_BY_HEADER), replica);
    return ((await res.json()) as { active: boolean }).active;
  }

  it('EP-8, GR-8: PAR at A, authorize and login at B, token at A, refresh at B (SENSITIVE, private_key_jwt, DPoP)', async () => {
    const from = set.proxy.served.length;
    const rp = await at('a', () => relyingParty(set.issuer, sensitive));
    const dpop = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    const { url, verifier, state, nonce } = await at('a', () =>
      pushedAuthorizationRequest(rp, { scope: 'openid patient/Observation.rs offline_access', prompt: 'consent', resource: API.sensitive, response_mode: 'form_post' }, dpop),
    );
    const arrival = await at('b', () => new Person(set.issuer).signIn(url, { username: 'alice', password: PASSWORDS.alice }));
    const tokens = await at('a', () =>
      oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, { resource: API.sensitive }, { DPoP: dpop }),
    );
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    assert.ok(tokens.refresh_token);
    const refreshed = await at('b', () => oidc.refreshTokenGrant(rp, tokens.refresh_token ?? '', { resource: API.sensitive }, { DPoP: dpop }));
    assert.ok(refreshed.access_token);
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'TOK-4: rotated at the other replica');

    assert.deepEqual([...new Set(servedBy(from, '/par'))], ['a'], 'the PAR went to A');
    assert.deepEqual([...new Set(servedBy(from, '/authorize'))], ['b'], 'the authorization request went to B');
    assert.ok(servedBy(from, /^\/interaction\/[^/]+\/login$/).every((r) => r === 'b'), 'the login form went to B');
    assert.ok(servedBy(from, /^\/interaction\//).length >= 3, 'the login and consent pages were served');
    const tokenCalls = servedBy(from, '/token');
    assert.ok(tokenCalls.includes('a') && tokenCalls.at(-1) === 'b', 'code at A, refresh at B');
  });

  it('EP-4: revocation at either replica is seen by both', async () => {
    const { rp, pending, arrival } = await at('a', () => signedInWeb());
    const tokens = await at('a', () => oidc.authorizationCodeGrant(rp, callbackInput(arrival), { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }));
    assert.equal(await introspect('a', tokens.access_token), true);
    assert.equal(await introspect('b', tokens.access_token), true);
    assert.equal(await introspect('b', tokens.refresh_token ?? ''), true);

    // The access token revoked at B is dead at A.
    await at('b', () => oidc.tokenRevocation(rp, tokens.access_token));
    assert.equal(await introspect('a', tokens.access_token), false);
    assert.equal(await introspect('b', tokens.access_token), false);

    // The refresh token revoked at A cannot be used at B.
    await at('a', () => oidc.tokenRevocation(rp, tokens.refresh_token ?? ''));
    assert.equal(await introspect('b', tokens.refresh_token ?? ''), false);
    await at('b', () => assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token ?? ''), (err: { error?: string }) => err.error === 'invalid_grant'));
  });

  it('EP-2: a DPoP nonce handed out by A is accepted by B, and a made-up one is not', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(publicKey);
    const htu = new URL('/token', set.issuer).href;
    const proof = (extra: Record<string, unknown> = {}) =>
      new SignJWT({ htm: 'POST', htu, jti: randomUUID(), ...extra }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).setIssuedAt().sign(privateKey);
    // A request that gets as far as the DPoP check, then fails on the (made-up) code.
    const tokenRequest = async (replica: ReplicaName, dpop: string) => {
      const res = await fetch(htu, via(replica, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop },
        body: new URLSearchParams({ grant_type: 'authorization_code', code: 'not-a-code', code_verifier: 'x'.repeat(43), redirect_uri: REDIRECT, client_id: 'spa' }),
      }));
      return { nonce: res.headers.get('dpop-nonce'), error: ((await res.json()) as { error?: string }).error };
    };

    const first = await tokenRequest('a', await proof());
    assert.ok(first.nonce, 'A hands out a nonce');
    assert.equal(first.error, 'invalid_grant');
    const atB = await tokenRequest('b', await proof({ nonce: first.nonce }));
    assert.equal(atB.error, 'invalid_grant', 'B accepts the nonce of A and goes on to the code');
    const forged = await tokenRequest('b', await proof({ nonce: 'made-up-nonce-made-up-nonce-made-up-nonce12' }));
    assert.equal(forged.error, 'use_dpop_nonce', 'a nonce neither replica issued is refused');
  });

  it('TOK-1: of 100 parallel redemptions of one code, split between the replicas, exactly one succeeds', async () => {
    const { pending, arrival } = await at('b', () => signedInWeb());
    const code = arrival.form?.fields.code ?? '';
    assert.ok(code);
    const from = set.proxy.served.length;
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: pending.verifier, redirect_uri: REDIRECT, client_id: 'web', client_secret: String(web.metadata.client_secret) }).toString();
    const results = await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const replica: ReplicaName = i % 2 === 0 ? 'a' : 'b';
        const res = await fetch(new URL('/token', set.issuer), via(replica, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }));
        return { replica, status: res.status, body: (await res.json()) as { error?: string; access_token?: string; refresh_token?: string } };
      }),
    );
    const won = results.filter((r) => r.status === 200);
    assert.equal(won.length, 1, `exactly one success (got ${won.length})`);
    const lost = results.filter((r) => r.status !== 200);
    assert.equal(lost.length, 99);
    assert.deepEqual([...new Set(lost.map((r) => `${r.status} ${r.body.error ?? ''}`))], ['400 invalid_grant']);
    const served = servedBy(from, '/token');
    assert.equal(served.filter((r) => r === 'a').length, 50, 'half went to A');
    assert.equal(served.filter((r) => r === 'b').length, 50, 'half went to B');

    // A reused code revokes its grant: the winner's tokens are dead on both replicas.
    const winner = won[0]?.body;
    assert.ok(winner?.access_token && winner.refresh_token);
    for (const replica of ['a', 'b'] as const) {
      assert.equal(await introspect(replica, winner.access_token), false, `access token revoked (seen at ${replica})`);
      assert.equal(await introspect(replica, winner.refresh_token), false, `refresh token revoked (seen at ${replica})`);
    }
  });

  it('a public client flow crosses the replicas too (code at A, authorize at B)', async () => {
    const rp = await at('a', () => relyingParty(set.issuer, spa));
    const pending = await authorizationRequest(rp);
    const arrival = await at('b', () => new Person(set.issuer).signIn(pending.url, { username: 'alice', password: PASSWORDS.alice }));
    const tokens = await at('a', () => oidc.authorizationCodeGrant(rp, arrival.url, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce }));
    assert.equal(tokens.claims()?.sub, 'acct-alice');
  });
});
