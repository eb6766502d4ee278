// #13.7: what one store operation costs Redis, in round trips (commands this process sent)
// and in commands Redis ran (INFO commandstats, script internals included). Figures that
// do not depend on the machine: a refactor of the storage layer must not raise them.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Adapter } from 'oidc-provider';
import type { Redis } from 'ioredis';
import { createRedisStore } from '../../src/storage/redis.js';
import { withRequestScope } from '../../src/storage/request-scope.js';
import { createSealer } from '../../src/storage/seal.js';
import type { Store } from '../../src/storage/store.js';
import { redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';

const skip = redisServerSkip();

/** Commands Redis ran, by name, from INFO commandstats. */
async function commandstats(raw: Redis): Promise<Map<string, number>> {
  const info = (await raw.info('commandstats'));
  const out = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out.set(m[1] ?? '', Number(m[2]));
  return out;
}

interface Cost {
  /** commands this process sent (each a round trip unless pipelined) */
  sent: number;
  /** commands Redis ran for them, script internals included, INFO excluded */
  ran: number;
}

/**
 * Today's costs per operation (Redis standalone, store.waitForReplicas false). A lower
 * figure is welcome (lower the pin); a higher one is a regression of #13.7.
 */
const PINNED: Record<string, Cost> = {
  'upsert Session (uid alias)': { sent: 1, ran: 2 },
  'upsert AccessToken of a grant': { sent: 1, ran: 8 },
  'upsert AccessToken of a grant whose index outlives it': { sent: 1, ran: 7 },
  'upsert ReplayDetection (insert only)': { sent: 1, ran: 1 },
  'find AccessToken of a grant': { sent: 1, ran: 3 },
  'find Session': { sent: 1, ran: 2 },
  'find Session twice in one request': { sent: 1, ran: 2 },
  'findByUid Session': { sent: 1, ran: 3 },
  'consume AuthorizationCode': { sent: 2, ran: 6 },
  'find then consume AuthorizationCode in one request': { sent: 2, ran: 6 },
  // The interaction pages (src/interactions/prefetch.ts): interaction and session at once, then the library's finds.
  'prefetch Interaction and Session, then find and findByUid': { sent: 1, ran: 4 },
  'destroy Session': { sent: 2, ran: 6 },
  'destroy AccessToken of a grant': { sent: 1, ran: 6 },
  'revokeByGrantId AccessToken': { sent: 1, ran: 4 },
};

void describe('Redis cost per store operation (#13.7)', { skip }, () => {
  let server: LocalRedis;
  let store: Store;
  let raw: Redis;
  let sent = 0;
  const a = (model: string): Adapter => store.adapter(model);

  before(async () => {
    server = await startRedisServer();
    store = await createRedisStore({ type: 'redis', url: server.url, keyPrefix: 'cost:', waitForReplicas: false }, createSealer([{ kid: 'k', key: randomBytes(32) }], randomBytes(32)), {});
    const client = store.redis as Redis;
    const send = client.sendCommand.bind(client);
    // A pipeline hands each of its commands to sendCommand with one shared stream and
    // writes them at once: one round trip per pipeline.
    const pipelines = new WeakSet<object>();
    client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
      const [, stream] = args;
      if (!stream || !pipelines.has(stream)) sent += 1;
      if (stream) pipelines.add(stream);
      return send(...args);
    });
    const { Redis: Client } = await import('ioredis');
    raw = new Client(server.url);
  });
  after(async () => {
    await store?.close();
    raw?.disconnect();
    await server?.stop();
  });

  async function cost(op: () => Promise<unknown>): Promise<Cost> {
    const before = await commandstats(raw);
    sent = 0;
    await op();
    const count = sent;
    const afterStats = await commandstats(raw);
    let ran = 0;
    for (const [name, calls] of afterStats) if (name !== 'info') ran += calls - (before.get(name) ?? 0);
    return { sent: count, ran };
  }

  void it('each operation costs no more round trips and commands than pinned', async () => {
    const grantId = randomUUID();
    const [sid, uid, at, code, jti] = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    // Warm up: load every script once (the first EVALSHA of a script falls back to EVAL).
    const warm = randomUUID();
    await a('AccessToken').upsert(warm, { kind: 'AccessToken', grantId: warm }, 60);
    await a('AccessToken').find(warm);
    await a('Session').upsert(warm, { kind: 'Session', uid: warm }, 60);
    await a('Session').destroy(warm);
    await a('AccessToken').destroy(warm);
    await a('AuthorizationCode').upsert(warm, { kind: 'AuthorizationCode', grantId: warm }, 60);
    await a('AuthorizationCode').consume(warm);
    await a('AuthorizationCode').revokeByGrantId(warm);
    await a('Session').findByUid(warm);
    const [code2, at2] = [randomUUID(), randomUUID()];

    const measured: Record<string, Cost> = {
      'upsert Session (uid alias)': await cost(() => a('Session').upsert(sid, { kind: 'Session', uid }, 60)),
      'upsert AccessToken of a grant': await cost(() => a('AccessToken').upsert(at, { kind: 'AccessToken', grantId }, 60)),
      'upsert AccessToken of a grant whose index outlives it': await cost(() => a('AccessToken').upsert(at2, { kind: 'AccessToken', grantId }, 30)),
      'upsert ReplayDetection (insert only)': await cost(() => a('ReplayDetection').upsert(jti, { kind: 'ReplayDetection' }, 60)),
      'find AccessToken of a grant': await cost(() => a('AccessToken').find(at)),
      'find Session': await cost(() => a('Session').find(sid)),
      // The library reads a session several times in one request: the second read is kept (request-scope.ts).
      'find Session twice in one request': await cost(() => withRequestScope(async () => [await a('Session').find(sid), await a('Session').find(sid)])),
      'findByUid Session': await cost(() => a('Session').findByUid(uid)),
      'consume AuthorizationCode': await (async () => {
        await a('AuthorizationCode').upsert(code, { kind: 'AuthorizationCode', grantId }, 60);
        return cost(() => a('AuthorizationCode').consume(code));
      })(),
      // TOK-1: the compare-and-set is made against this request's find, with no second read.
      'find then consume AuthorizationCode in one request': await (async () => {
        await a('AuthorizationCode').upsert(code2, { kind: 'AuthorizationCode', grantId }, 60);
        return cost(() => withRequestScope(async () => {
          await a('AuthorizationCode').find(code2);
          await a('AuthorizationCode').consume(code2);
        }));
      })(),
      'prefetch Interaction and Session, then find and findByUid': await (async () => {
        const iid = randomUUID();
        await a('Interaction').upsert(iid, { kind: 'Interaction', session: { uid } }, 60);
        return cost(() => withRequestScope(async () => {
          await store.prefetch?.([{ model: 'Interaction', id: iid }, { model: 'Session', id: sid }]);
          const interaction = await a('Interaction').find(iid);
          const session = await a('Session').findByUid(uid);
          assert.deepEqual([interaction?.kind, session?.kind], ['Interaction', 'Session']);
        }));
      })(),
      'destroy Session': await cost(() => a('Session').destroy(sid)),
      'destroy AccessToken of a grant': await cost(() => a('AccessToken').destroy(at)),
      'revokeByGrantId AccessToken': await (async () => {
        await a('AccessToken').upsert(at, { kind: 'AccessToken', grantId }, 60);
        return cost(() => a('AccessToken').revokeByGrantId(grantId));
      })(),
    };
    process.stdout.write(`# Redis cost per operation: ${JSON.stringify(measured)}\n`);
    for (const [op, pinned] of Object.entries(PINNED)) {
      const got = measured[op];
      assert.ok(got, op);
      assert.ok(got.sent <= pinned.sent, `${op}: ${got.sent} commands sent, pinned ${pinned.sent}`);
      assert.ok(got.ran <= pinned.ran, `${op}: ${got.ran} commands run by Redis, pinned ${pinned.ran}`);
    }
  });
});
