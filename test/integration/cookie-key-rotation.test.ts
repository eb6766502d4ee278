// Cookie-key rotation (secrets.cookieKeys): the first key signs cookies, the rest still
// verify, so an operator prepends a new key, rolls the replicas, and drops the old key once
// sessions signed with it have ended. Three IdPs on one Redis stand for the deployment
// before, during and after the rotation. (Sealing-key rotation: test/contract/store-contract.ts.)
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { staticClients, web } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { redisSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';

const skip = redisSkip();
const key = () => randomBytes(32).toString('base64url');

void describe('cookie-key rotation: the first key signs, the others still verify', { skip }, () => {
  let redis: LocalRedis | undefined;
  const idps: RunningIdp[] = [];
  const [oldKey, newKey] = [key(), key()];
  const shared = { sealingKeys: [{ kid: 'k1', key: key() }], lookupKey: key() };

  before(async () => {
    if (!process.env.REDIS_URL) redis = await startRedisServer();
  });
  after(async () => {
    for (const idp of idps) await idp.close();
    await redis?.stop();
  });

  /** prompt=none at `idp` with the person's cookies: does the IdP still know the session? */
  async function knowsSession(idp: RunningIdp, cookies: Map<string, string>): Promise<{ known: boolean; resigned: boolean }> {
    const person = new Person(idp.url);
    for (const [k, v] of cookies) person.cookies.set(k, v);
    const pending = await authorizationRequest(await relyingParty(idp.url, web), { prompt: 'none' });
    const res = await person.request(pending.url);
    const location = new URL(res.headers.get('location') ?? '', idp.url);
    const resigned = res.headers.getSetCookie().some((c) => c.startsWith('_session.sig=') && !c.startsWith(`_session.sig=${cookies.get('_session.sig') ?? ''};`));
    // The web client is hybrid: the answer is in the fragment.
    const answer = new URLSearchParams(location.hash.slice(1) || location.search);
    return { known: answer.get('error') !== 'login_required', resigned };
  }

  it('a session cookie signed with the old key is accepted after a new key is prepended, and not once the old key is dropped', async () => {
    // All three share one store prefix so they see the same sessions.
    const url = process.env.REDIS_URL || redis?.url || '';
    const prefix = `cookies-${randomUUID().slice(0, 8)}:`;
    const start = async (cookieKeys: string[]) => {
      const idp = await startIdp({ clients: staticClients, store: { type: 'redis', url, keyPrefix: prefix }, secrets: { cookieKeys, ...shared } });
      idps.push(idp);
      return idp;
    };
    const before = await start([oldKey]);
    const during = await start([newKey, oldKey]);
    const afterwards = await start([newKey]);

    const person = new Person(before.url);
    const pending = await authorizationRequest(await relyingParty(before.url, web));
    await person.signIn(pending.url, { username: 'alice', password: PASSWORDS.alice, consent: 'approve' });
    assert.ok(person.cookies.get('_session.sig'), 'a signed session cookie');

    assert.equal((await knowsSession(before, person.cookies)).known, true, 'control: the signing IdP knows its session');
    const rotated = await knowsSession(during, person.cookies);
    assert.equal(rotated.known, true, 'an old-key cookie still verifies while the old key is listed second');
    assert.equal(rotated.resigned, true, 'and is re-signed with the new first key');
    assert.equal((await knowsSession(afterwards, person.cookies)).known, false, 'with the old key dropped, its cookies no longer verify');
  });
});
