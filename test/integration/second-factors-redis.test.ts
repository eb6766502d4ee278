// AUTH-1 on the Redis store: the factor record is sealed in Redis (no secret in any key or
// value), and one one-time code sent twice at once is accepted once — the replay guard is a
// counter in Redis shared by every replica, not a read-then-write race.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { accountSignIn, codeFor, keyOnPage } from '../helpers/factors.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { parseForms } from '../helpers/person.js';
import { redisSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';

void describe('second factors on Redis (AUTH-1, TOK-2)', { skip: redisSkip() }, () => {
  let server: LocalRedis | undefined;
  let url = '';
  let running: RunningIdp;
  const keyPrefix = `mfa:${randomUUID().slice(0, 8)}:`;
  const key32 = () => randomBytes(32).toString('base64url');
  let secret = '';

  before(async () => {
    url = process.env.REDIS_URL ?? '';
    if (!url) {
      server = await startRedisServer();
      url = server.url;
    }
    const secrets = { cookieKeys: [key32()], sealingKeys: [{ kid: 'k1', key: key32() }], lookupKey: key32(), dpopNonceKey: key32() };
    running = await startIdp({ store: { type: 'redis', url, keyPrefix }, secrets });
  });
  after(async () => {
    await running?.close();
    await server?.stop();
  });

  it('an app added on the account pages is kept sealed in Redis', async () => {
    const person = await accountSignIn(running.url);
    await person.visit(`${running.url}/account/factors`);
    await person.submit('/account/factors/totp/start', {});
    secret = keyOnPage(person.lastPage);
    await person.submit('/account/factors/totp', { code: codeFor(secret) });
    assert.match(person.lastPage, /Your new recovery codes/);
    const raw = new Redis(url);
    try {
      const keys = await raw.keys(`${keyPrefix}*`);
      const values = await Promise.all(keys.map(async (k) => ((await raw.type(k)) === 'string' ? ((await raw.get(k)) ?? '') : JSON.stringify(await raw.hgetall(k).catch(() => ({}))))));
      const all = [...keys, ...values].join('\n');
      assert.ok(keys.length > 0);
      assert.ok(!all.includes(secret), 'no TOTP secret in clear in Redis');
      assert.ok(!all.includes('acct-alice'), 'no account id in clear in Redis');
    } finally {
      raw.disconnect();
    }
  });

  it('the same code sent five times at once is accepted once (without the shared guard, three got in)', async () => {
    const person = await accountSignIn(running.url);
    await person.visit(`${running.url}/account/factors`);
    assert.match(person.lastPage, /Confirm it is you/);
    const form = parseForms(person.lastPage).find((f) => f.action.endsWith('/account/factors/verify'));
    assert.ok(form);
    // A code the enrolment did not use: the next step's (accepted within the window).
    const code = codeFor(secret, 1);
    const send = () =>
      person.request(new URL(form.action, running.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...form.fields, code }).toString() }).then(async (res) => {
        await res.arrayBuffer();
        return res.status;
      });
    const statuses = await Promise.all(Array.from({ length: 5 }, send));
    assert.equal(statuses.filter((s) => s === 303).length, 1, `one accepted (303), the others refused: ${statuses.join(', ')}`);
    assert.ok(statuses.filter((s) => s !== 303).every((s) => s === 401));
  });
});
