// What operators must see about the store (issue 14 item 6): an unreachable Redis at
// start-up and while running is logged with its address (never its password) at a
// bounded rate, its return is logged, and a 503 from the library's own endpoints during
// an outage leaves a log line with the request id.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '../../src/ops/log.js';
import { service, staticClients, SERVICE_SECRET } from '../helpers/clients.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { freePort, rawCommand, redisServerSkip, startRedisServer, type LocalRedis } from '../helpers/redis-server.js';

const skip = redisServerSkip();
const PASSWORD = 'redis-password-never-in-a-log-0123456789';

interface Line {
  level: string;
  event: string;
  [k: string]: unknown;
}

async function waitFor(lines: string[], event: string, from: number, timeoutMs = 8000): Promise<Line> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = lines.slice(from).map((l) => JSON.parse(l) as Line).find((l) => l.event === event);
    if (found) return found;
    await sleep(100);
  }
  throw new Error(`no ${event} line within ${timeoutMs} ms:\n${lines.slice(from).join('\n')}`);
}

describe('the store, as operators see it in the logs', { skip }, () => {
  let redis: LocalRedis;
  let running: RunningIdp;
  const lines: string[] = [];

  before(async () => {
    redis = await startRedisServer();
    assert.match(await rawCommand(redis.port, `CONFIG SET requirepass ${PASSWORD}`), /^\+OK/);
    const url = `redis://:${PASSWORD}@127.0.0.1:${redis.port}`;
    running = await startIdp({ clients: staticClients, store: { type: 'redis', url, keyPrefix: 'ops-test:' } }, { logger: createLogger('debug', (l) => lines.push(l)) });
  });
  after(async () => {
    await running?.close();
    await redis?.stop();
  });

  it('a Redis outage: store.unreachable names the address without the password; /token’s 503 is logged with its request id; store.reachable when back', async () => {
    const from = lines.length;
    await redis.stop();
    const unreachable = await waitFor(lines, 'store.unreachable', from);
    assert.equal(unreachable.level, 'warn');
    assert.equal(unreachable.address, `redis://127.0.0.1:${redis.port}`);

    const res = await fetch(new URL('/token', running.url), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: service.metadata.client_id, client_secret: SERVICE_SECRET }).toString(),
    });
    assert.equal(res.status, 503);
    const outage = await waitFor(lines, 'store.unavailable', from);
    assert.equal(outage.requestId, res.headers.get('x-request-id'));
    assert.equal(outage.route, 'token');

    // Bounded: one warning per 30 s while it stays away, not one per reconnection attempt.
    await sleep(2500);
    assert.equal(lines.slice(from).filter((l) => l.includes('"store.unreachable"')).length, 1);

    await redis.start();
    assert.match(await rawCommand(redis.port, `CONFIG SET requirepass ${PASSWORD}`), /^\+OK/);
    const back = await waitFor(lines, 'store.reachable', from);
    assert.equal(back.level, 'info');
    assert.ok(!lines.some((l) => l.includes(PASSWORD)), 'the password is in no line');
  });

  it('a store unreachable at start-up is logged at once, with its address', async () => {
    const port = await freePort();
    const own: string[] = [];
    const idp = await startIdp({ store: { type: 'redis', url: `redis://ops:${PASSWORD}@127.0.0.1:${port}` } }, { logger: createLogger('info', (l) => own.push(l)) });
    try {
      const line = await waitFor(own, 'store.unreachable', 0);
      assert.equal(line.address, `redis://127.0.0.1:${port}`);
      assert.ok(!own.some((l) => l.includes(PASSWORD)));
    } finally {
      await idp.close();
    }
  });
});
