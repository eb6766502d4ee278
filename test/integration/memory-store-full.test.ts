// Issue 12, item 4: a memory store at store.maxEntries says so — 503
// temporarily_unavailable to clients, a readable page to people, /readyz 503 with the
// reason — instead of 500 server_error and a ready /readyz; and recovers when room is made.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { spa, staticClients, web, WEB_SECRET } from '../helpers/clients.js';
import { PASSWORDS, REDIRECT } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';

const MAX = 60;

describe('a full memory store (store.maxEntries)', () => {
  let running: RunningIdp;
  const fillers: string[] = [];
  before(async () => {
    running = await startIdp({ clients: staticClients, store: { type: 'memory', maxEntries: MAX } });
  });
  after(() => running?.close());

  it('answers 503 temporarily_unavailable (JSON for clients, a readable page for people), /readyz says why, and recovers', async () => {
    const rp = await relyingParty(running.url, spa);
    // A person reaches the login page while there is room.
    const person = new Person(running.url);
    await person.visit((await authorizationRequest(rp)).url);
    assert.match(person.lastPage, /name="password"/);

    const tokens = running.idp.store.adapter('AccessToken');
    for (let i = 0; ; i++) {
      const id = `filler-${i}`;
      try {
        await tokens.upsert(id, { kind: 'AccessToken' }, 600);
      } catch {
        break;
      }
      fillers.push(id);
      assert.ok(i < MAX, 'the store refuses writes at its bound');
    }

    const ready = await fetch(`${running.url}/readyz`);
    assert.equal(ready.status, 503);
    const body = (await ready.json()) as { status: string; store: string; reason?: string };
    assert.equal(body.status, 'unavailable');
    assert.match(body.reason ?? '', /memory store full: \d+ live records of store\.maxEntries 60/);

    // A client: PAR writes a record → 503 temporarily_unavailable, not 500 server_error.
    const par = await fetch(`${running.url}/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'web', client_secret: WEB_SECRET, response_type: 'code id_token', redirect_uri: REDIRECT, scope: 'openid', state: 's'.repeat(22), nonce: 'n'.repeat(22), code_challenge: 'c'.repeat(43), code_challenge_method: 'S256' }),
    });
    assert.equal(par.status, 503);
    assert.equal(((await par.json()) as { error?: string }).error, 'temporarily_unavailable');

    // An authorization request: the error goes back to the client, as OAuth says.
    const start = await fetch((await authorizationRequest(await relyingParty(running.url, web))).url, { redirect: 'manual' });
    const location = new URL(start.headers.get('location') ?? '', running.url);
    // (code id_token answers in the fragment)
    const answer = new URLSearchParams(location.hash.slice(1) || location.search);
    if (location.origin === new URL(REDIRECT).origin) assert.equal(answer.get('error'), 'temporarily_unavailable');
    else assert.equal(start.status, 503);

    // The person signing in: a readable 503 page, nothing internal.
    const arrival = await person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    assert.equal(arrival, undefined);
    assert.equal(person.lastStatus, 503);
    assert.match(person.lastPage, /Briefly unavailable/);
    assert.doesNotMatch(person.lastPage, /server_error|oops|\s+at .+:\d+:\d+/i);

    // Room again: ready, and sign-ins go through.
    for (const id of fillers.splice(0, 20)) await tokens.destroy(id);
    assert.equal((await fetch(`${running.url}/readyz`)).status, 200);
    const again = await new Person(running.url).signIn((await authorizationRequest(rp)).url, { username: 'alice', password: PASSWORDS.alice });
    assert.ok(again.url.searchParams.get('code'));
  });
});
