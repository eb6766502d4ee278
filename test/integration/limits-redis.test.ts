// Limits for strangers shared across replicas (issue 10, item 9): on the Redis store the
// per-address limit of the state-creating endpoints counts every replica's requests,
// under keyed hashes, like the login throttle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { staticClients } from '../helpers/clients.js';
import { redisSkip } from '../helpers/redis-server.js';
import { startReplicasOnRedis, via, type ReplicaName, type ReplicasOnRedis, type ReplicaSet, SERVED_BY_HEADER } from '../helpers/replicas.js';

const skip = redisSkip();

void describe('per-address limit of /authorize, /par and /logout on Redis: two replicas count together', { skip }, () => {
  let replicas: ReplicasOnRedis;
  let set: ReplicaSet;

  before(async () => {
    replicas = await startReplicasOnRedis({ clients: staticClients, limits: { stateCreating: { requests: 4, window: 600 } } });
    ({ set } = replicas);
  });
  after(() => replicas?.close());

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
    const keys = await replicas.keys('state*');
    assert.ok(keys.length > 0, 'the per-address count is in Redis');
    for (const key of keys) assert.doesNotMatch(key, /127\.0\.0\.1|::1/);
  });
});
