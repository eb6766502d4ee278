// EP-2, OIDC-9: a client whose jwks_uri is broken does not make the IdP fetch it again on
// every token request: a failed GET (unreachable, or not 200 OK) is remembered for a short
// time (30 s by default) and answered from memory, so a client that fixes its keys recovers
// within that time. Successful fetches and POSTs (CIBA pings) are never remembered.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FAILED_FETCH_TTL_MS, rememberFailedFetches } from '../../src/provider/fetch-failures.js';

describe('failed fetches of client documents are remembered briefly (EP-2, OIDC-9)', () => {
  let server: Server;
  let base = '';
  const hits: Record<string, number> = {};
  let status = 500;

  before(async () => {
    server = createServer((req, res) => {
      hits[req.url ?? ''] = (hits[req.url ?? ''] ?? 0) + 1;
      res.writeHead(req.url === '/ok' ? 200 : status, { 'content-type': 'application/json' }).end('{"keys":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  const plain = (url: string | URL | Request, init?: RequestInit) => globalThis.fetch(url, init);

  it('a GET answered with an error status is fetched once within the time; the same status is answered from memory', async () => {
    let clock = 1_000_000;
    const fetch = rememberFailedFetches(plain, { now: () => clock });
    assert.equal((await fetch(`${base}/broken`, { method: 'GET' })).status, 500);
    clock += FAILED_FETCH_TTL_MS - 1;
    const again = await fetch(`${base}/broken`, { method: 'GET' });
    assert.equal(again.status, 500, 'the client still reads why: not 200 OK');
    assert.equal(hits['/broken'], 1, 'not fetched again within the time');
    clock += 2;
    status = 200;
    assert.equal((await fetch(`${base}/broken`, { method: 'GET' })).status, 200, 'after the time: fetched again, and the fixed keys are read');
    assert.equal(hits['/broken'], 2);
    status = 500;
  });

  it('a GET that cannot reach the server is refused from memory within the time, with the same error', async () => {
    let clock = 0;
    const fetch = rememberFailedFetches(plain, { now: () => clock });
    const closed = 'http://127.0.0.1:9/jwks';
    const first = await fetch(closed).then(() => undefined, (err: unknown) => err);
    assert.ok(first instanceof Error);
    clock += 1000;
    const second = await fetch(closed).then(() => undefined, (err: unknown) => err);
    assert.equal(second, first, 'the remembered error');
  });

  it('successful GETs and POSTs are never remembered', async () => {
    const fetch = rememberFailedFetches(plain);
    await fetch(`${base}/ok`);
    await fetch(`${base}/ok`);
    assert.equal(hits['/ok'], 2);
    await fetch(`${base}/ping`, { method: 'POST', body: '{}' });
    await fetch(`${base}/ping`, { method: 'POST', body: '{}' });
    assert.equal(hits['/ping'], 2, 'a CIBA ping is sent each time');
  });
});
