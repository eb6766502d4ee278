// A store URL that is not a Redis URL stops start-up naming store.url; an invalid
// REDIS_URL names the environment variable (and neither echoes the URL).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY32 } from '../../helpers/production.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const redis = (url: string) => productionRaw({ store: { type: 'redis', url }, secrets: { ...productionRaw().secrets!, dpopNonceKey: KEY32 } });

describe('start-up: Redis URLs', () => {
  for (const url of ['notaurl', 'http://redis.internal:6379']) {
    it(`store.url "${url}" is refused`, async () => {
      const verdict = await startupVerdict(redis(url));
      assert.deepEqual(verdict.problems.map((p) => p.field), ['store.url']);
    });
  }

  it('an invalid REDIS_URL names the variable', async () => {
    const verdict = await startupVerdict(productionRaw(), { REDIS_URL: 'redis//oops:secretpw@host' });
    assert.deepEqual(verdict.problems.map((p) => p.field), ['REDIS_URL (environment variable)']);
    assert.ok(!verdict.text.includes('secretpw'), 'the URL (which may hold a password) is not echoed');
  });

  it('redis:// and rediss:// URLs are accepted', async () => {
    assert.deepEqual((await startupVerdict(redis('rediss://user:pw@redis.internal:6380/0'))).problems, []);
  });
});
