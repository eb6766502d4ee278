// EP-11: behind a TLS-terminating proxy the IdP believes X-Forwarded-* only from the
// proxies it was told about, and takes as the client's address the right-most one a
// proxy appended — never what the client wrote. The per-address login throttle proves
// it: spoofed X-Forwarded-For values from one real address all count against it.
import assert from 'node:assert/strict';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { RawConfig } from '../../src/config/schema.js';
import { spa } from '../helpers/clients.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { Person } from '../helpers/person.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';

/** The fake proxy connects to the IdP from this loopback address (Linux: all of 127/8 is local). */
const PROXY_ADDRESS = '127.0.0.2';

/** Like nginx with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`: appends the peer's address. */
async function fakeProxy(target: string): Promise<{ origin: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const prior = req.headers['x-forwarded-for'];
    const headers = { ...req.headers, 'x-forwarded-for': prior ? `${String(prior)}, ${peer}` : peer, 'x-forwarded-proto': 'http' };
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, localAddress: PROXY_ADDRESS, method: req.method, path: req.url, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A person whose every request claims to come from another address. */
class Spoofer extends Person {
  private n = 0;
  override request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', `203.0.113.${(this.n += 1)}`);
    return super.request(url, { ...init, headers });
  }
}

// Per address: three checks, then blocked; per username: lenient.
const throttle = { address: { attempts: 3, window: 3600, blockFor: 600 }, account: { attempts: 100, window: 3600 } };

async function guessesFromOneAddress(running: RunningIdp, origin: string): Promise<number[]> {
  const rp = await relyingParty(running.url, spa);
  const pending = await authorizationRequest(rp);
  const person = new Spoofer(origin);
  await person.visit(pending.url.href.replace(running.url, origin));
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    await person.submit('/login', { username: `user-${i}`, password: 'wrong' });
    statuses.push(person.lastStatus);
  }
  return statuses;
}

const settings: [string, RawConfig['proxy']][] = [
  ['proxy.trusted lists the proxy', { trusted: [`${PROXY_ADDRESS}/32`] }],
  ['proxy = true (one proxy)', true],
];
for (const [name, proxy] of settings) {
  describe(`client addresses behind a proxy: ${name}`, () => {
    let running: RunningIdp;
    let front: { origin: string; server: Server };
    before(async () => {
      running = await startIdp({ clients: [spa.metadata], proxy, login: { throttle } });
      front = await fakeProxy(running.url);
    });
    after(async () => {
      front.server.closeAllConnections();
      await new Promise((resolve) => front.server.close(resolve));
      await running.close();
    });

    it('EP-11: spoofed X-Forwarded-For values through the proxy all count against the real address', async () => {
      assert.deepEqual(await guessesFromOneAddress(running, front.origin), [401, 401, 401, 429]);
    });
  });
}

describe('client addresses: forwarded headers from an untrusted peer', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ clients: [spa.metadata], proxy: { trusted: [`${PROXY_ADDRESS}/32`] }, login: { throttle } });
  });
  after(() => running.close());

  it('EP-11: sent straight to the IdP (not through a trusted proxy), X-Forwarded-For is ignored', async () => {
    assert.deepEqual(await guessesFromOneAddress(running, running.url), [401, 401, 401, 429]);
  });

  it('EP-11: X-Forwarded-Proto and -Host from an untrusted peer do not change the URLs the IdP builds', async () => {
    const res = await fetch(`${running.url}/.well-known/openid-configuration`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'evil.example' } });
    const discovery = (await res.json()) as { token_endpoint: string };
    assert.equal(discovery.token_endpoint, `${running.url}/token`);
  });
});
