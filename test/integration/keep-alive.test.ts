// EP-11: behind a proxy (nginx, a load balancer) the IdP's idle keep-alive connections must
// outlive the proxy's. Node's default closes them after 5 s, so a proxy that reuses one just
// as it closes gets a reset and answers 502 (seen in redis-outage.test.ts under load). The
// IdP keeps an idle connection for KEEP_ALIVE_MS (longer than nginx's 60 s upstream default).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { KEEP_ALIVE_MS } from '../../src/ops/listen.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';

describe('idle keep-alive connections (EP-11, behind a proxy)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp();
  });
  after(() => running.close());

  it('outlast the 60 s a proxy may keep an idle upstream connection', () => {
    assert.ok(KEEP_ALIVE_MS > 60_000, `${KEEP_ALIVE_MS} ms`);
  });

  it('a connection idle for longer than Node\'s default 5 s still serves the next request', async () => {
    const { port } = new URL(running.url);
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let closed = false;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    socket.on('close', () => (closed = true));
    const ask = () => socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`);
    const answers = () => received.split('HTTP/1.1 200').length - 1;
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    ask();
    while (answers() < 1) await sleep(20);
    await sleep(7_000); // Node checks idle connections about once a second after its 5 s
    assert.equal(closed, false, 'the IdP closed an idle connection after 5 s');
    ask();
    for (let i = 0; i < 200 && answers() < 2; i++) await sleep(20);
    assert.equal(answers(), 2);
    socket.destroy();
  });
});
