// The login throttle shared across replicas (issue 10, item 3): two IdP processes on one
// redis-server count the same attempts, sequential and parallel, because the counts live
// in Redis (rate-limiter-flexible on the store's connection), under keyed hashes; and with
// Redis away, no password is checked (fails closed).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { AccountStore } from '../../src/accounts/store.js';
import { staticClients } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { parseForms, Person } from '../helpers/person.js';
import { redisServerSkip, redisSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';
import { startReplicasOnRedis, via, type ReplicaName, type ReplicasOnRedis, type ReplicaSet, SERVED_BY_HEADER } from '../helpers/replicas.js';

const skip = redisSkip();

void describe('login throttle on Redis: two replicas count the same attempts', { skip }, () => {
  let replicas: ReplicasOnRedis;
  let set: ReplicaSet;

  before(async () => {
    // Checks in flight unbounded: only the shared count may stop the parallel burst.
    replicas = await startReplicasOnRedis({ clients: staticClients, login: { throttle: { inFlight: { perAccount: 100, perProcess: 100 } } } });
    ({ set } = replicas);
  });
  after(() => replicas?.close());

  /** A person on the consents page's sign-in, and a way to post its form to a chosen replica. */
  async function signInForm() {
    const person = new Person(set.issuer);
    await person.visit(`${set.issuer}/account/login`);
    const form = parseForms(person.lastPage).find((f) => f.action.includes('/account/login'));
    assert.ok(form);
    return async (replica: ReplicaName, username: string, password: string) => {
      const res = await person.request(
        new URL(form.action, set.issuer),
        via(replica, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...form.fields, username, password }).toString() }),
      );
      await res.arrayBuffer();
      assert.equal(res.headers.get(SERVED_BY_HEADER), replica);
      return res.status;
    };
  }

  it('sequential guesses alternating between replicas: 5 checked in all, then both refuse the right password', async () => {
    const post = await signInForm();
    const replicas: ReplicaName[] = ['a', 'b', 'a', 'b', 'a'];
    for (const [i, replica] of replicas.entries()) assert.equal(await post(replica, 'alice', `wrong-${i}`), 401, `guess ${i + 1} at ${replica}`);
    assert.equal(await post('b', 'alice', PASSWORDS.alice), 429, 'B counted the guesses A checked');
    assert.equal(await post('a', 'alice', PASSWORDS.alice), 429);
  });

  it('a parallel burst split over both replicas: at most 5 checks in all, not 5 per replica', async () => {
    const post = await signInForm();
    const statuses = await Promise.all(Array.from({ length: 24 }, (_, i) => post(i % 2 ? 'b' : 'a', 'ghost', `wrong-${i}`)));
    const checked = statuses.filter((s) => s === 401).length;
    assert.ok(checked <= 5, `at most 5 password checks over both replicas, saw ${checked}`);
    assert.equal(statuses.filter((s) => s === 429).length, 24 - checked);
  });

  it('the counts are in Redis under keyed hashes: no username or address in a key', async () => {
    const { keyPrefix } = replicas;
    const keys = await replicas.keys('login:*');
    assert.ok(keys.some((k) => k.startsWith(`${keyPrefix}login:account-address:`)), 'per (username, address) counts are shared');
    assert.ok(keys.some((k) => k.startsWith(`${keyPrefix}login:address:`)));
    for (const key of keys) assert.doesNotMatch(key, /alice|ghost|127\.0\.0\.1/);
  });
});

void describe('login throttle on Redis: Redis away', { skip: redisServerSkip() }, () => {
  let server: LocalRedis;
  let running: RunningIdp;
  let checks = 0;
  const accounts: AccountStore = {
    authenticate() {
      checks += 1;
      return Promise.resolve(undefined);
    },
    find: () => Promise.resolve(undefined),
  };
  const key32 = () => randomBytes(32).toString('base64url');
  const secrets = { cookieKeys: [key32()], sealingKeys: [{ kid: 'k1', key: key32() }], lookupKey: key32(), dpopNonceKey: key32() };
  before(async () => {
    server = await startRedisServer();
    running = await startIdp({ clients: staticClients, features: { ciba: true }, store: { type: 'redis', url: server.url, keyPrefix: `idp:${randomUUID().slice(0, 8)}:` }, secrets }, { accounts });
  });
  after(async () => {
    await running?.close();
    await server?.stop();
  });

  it('without its counts no password is checked: a readable 503, and the check resumes when Redis is back', async () => {
    const person = new Person(running.url);
    await person.visit(`${running.url}/account/login`);
    const approver = new Person(running.url);
    await approver.visit(`${running.url}/ciba/approve`);
    await server.stop();
    await person.submit('/account/login', { username: 'alice', password: 'guess' });
    assert.equal(person.lastStatus, 503);
    assert.match(person.lastPage, /briefly unavailable/);
    await approver.submit('/ciba/approve/sign-in', { username: 'alice', password: 'guess' });
    assert.equal(approver.lastStatus, 503, 'the CIBA approval page too');
    assert.match(approver.lastPage, /briefly unavailable/);
    assert.equal(checks, 0, 'fails closed: no count, no check');
    await server.start();
    let status = 0;
    for (let i = 0; i < 50 && status !== 401; i++) {
      await person.visit(`${running.url}/account/login`);
      await person.submit('/account/login', { username: 'alice', password: 'guess' });
      status = person.lastStatus;
      if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(status, 401, 'checked again once Redis is back');
  });
});
