// Limits for strangers shared across replicas (issue 10, item 9): on the Redis store the
// per-address limit of the state-creating endpoints counts every replica's requests,
// under keyed hashes, like the login throttle.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { staticClients } from '../helpers/clients.js';
import { redisSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';
import { startReplicaSet, via, type ReplicaName, type ReplicaSet, SERVED_BY_HEADER } from '../helpers/replicas.js';

const skip = redisSkip();

void describe('per-address limit of /authorize, /par and /logout on Redis: two replicas count together', { skip }, () => {
  let redis: LocalRedis | undefined;
  let url: string;
  let set: ReplicaSet;
  const keyPrefix = `test:${randomUUID().slice(0, 8)}:`;

  before(async () => {
    url = process.env.REDIS_URL ?? '';
    if (!url) {
      redis = await startRedisServer();
      url = redis.url;
    }
    set = await startReplicaSet({ redisUrl: url, keyPrefix, patch: { clients: staticClients, limits: { stateCreating: { requests: 4, window: 600 } } } });
  });
  after(async () => {
    await set?.close();
    await redis?.stop();
  });

  async function logout(replica: ReplicaName): Promise<number> {
    const res = await fetch(`${set.issuer}/logout`, via(replica, { redirect: 'manual' }));
    await res.arrayBuffer();
    assert.equal(res.headers.get(SERVED_BY_HEADER), replica);
    return res.status;
  }

  it('four requests spread over both replicas use up the limit; then both answer 429', async () => {
    const replicas: ReplicaName[] = ['a', 'b', 'a', 'b'];
    for (const replica of replicas) assert.notEqual(await logout(replica), 429, `request at ${replica} within the limit`);
    assert.equal(await logout('a'), 429, 'A counted the requests B served');
    assert.equal(await logout('b'), 429);
  });

  it('TOK-2: the counts sit in Redis under keyed hashes, naming no address', async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await client.connect();
      const keys = await client.keys(`${keyPrefix}state*`);
      assert.ok(keys.length > 0, 'the per-address count is in Redis');
      for (const key of keys) assert.doesNotMatch(key, /127\.0\.0\.1|::1/);
    } finally {
      client.disconnect();
    }
  });
});
