// A laptop trial is not a network service: `npm start` in development mode listens on
// loopback unless HOST (or `host`) says otherwise, and says where. Its pages ask for no
// missing file: the favicon is served, cached and allowed by the CSP.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { listenHost } from '../../src/ops/listen.js';
import { freePort, startIdp, type RunningIdp } from '../helpers/idp.js';

/** This machine's first non-loopback IPv4 address, if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
if (!lanAddress) process.stderr.write('\n*** laptop-trial: no non-loopback IPv4 address here; "not reachable from the network" is checked by the start-up line only ***\n\n');

interface Started {
  listening: string;
  stdout: string;
  stop(): Promise<void>;
}

/** `npm start` as a developer runs it: src/main.ts with config/development.json. */
async function npmStart(env: Record<string, string>): Promise<Started> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env };
  for (const name of ['REDIS_URL', 'ISSUER', 'IDP_CONFIG', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) delete childEnv[name];
  if (!env.HOST) delete childEnv.HOST;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', 'config/development.json'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line in 60 s:\n${stdout}\n${stderr}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`exited ${code}:\n${stdout}\n${stderr}`)));
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const line = stdout.split('\n').find((l) => l.includes('"event":"listening"'));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { listening: string }).listening);
      }
    });
  });
  // The human line after the JSON one.
  await new Promise((r) => setTimeout(r, 200));
  return {
    listening,
    get stdout() {
      return stdout;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const reachable = (url: string) => fetch(url, { signal: AbortSignal.timeout(5000) }).then((r) => r.status === 200, () => false);

describe('where the IdP listens', () => {
  it('development mode: 127.0.0.1 by default; `host` or HOST choose; production: every interface', () => {
    assert.equal(listenHost({ mode: 'development', host: undefined }), '127.0.0.1');
    assert.equal(listenHost({ mode: 'development', host: '0.0.0.0' }), '0.0.0.0');
    assert.equal(listenHost({ mode: 'production', host: undefined }), undefined);
    assert.equal(loadConfig('config/development.json', { env: { HOST: '::1' } }).host, '::1');
    assert.equal(loadConfig('config/development.json', { env: {} }).host, undefined);
  });

  it('npm start in development mode listens on loopback only and says so', async () => {
    const port = await freePort();
    const idp = await npmStart({ PORT: String(port) });
    try {
      assert.equal(idp.listening, `http://127.0.0.1:${port}`);
      assert.match(idp.stdout, new RegExp(`Listening on http://127\\.0\\.0\\.1:${port} \\(this machine only; HOST=0\\.0\\.0\\.0 opens it to the network\\)`));
      assert.ok(await reachable(`http://127.0.0.1:${port}/healthz`));
      if (lanAddress) assert.equal(await reachable(`http://${lanAddress}:${port}/healthz`), false, 'not reachable from the network');
    } finally {
      await idp.stop();
    }
  });

  it('HOST=0.0.0.0 opens it to the network, and the start-up line says so', async () => {
    const port = await freePort();
    const idp = await npmStart({ PORT: String(port), HOST: '0.0.0.0' });
    try {
      assert.equal(idp.listening, `every interface, port ${port}`);
      if (lanAddress) assert.ok(await reachable(`http://${lanAddress}:${port}/healthz`));
    } finally {
      await idp.stop();
    }
  });
});

describe('favicon', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp();
  });
  after(() => running.close());

  for (const path of ['/favicon.ico', '/static/favicon.svg']) {
    it(`${path} is an icon, cached, under the CSP`, async () => {
      const res = await fetch(new URL(path, running.url));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml');
      assert.match(res.headers.get('cache-control') ?? '', /^public, max-age=\d+/);
      assert.match(await res.text(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(res.headers.get('content-security-policy') ?? '', /img-src 'self'/, 'a same-origin icon is allowed');
    });
  }

  it('every page links it', async () => {
    const res = await fetch(new URL('/docs', running.url));
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<link rel="icon" href="\/static\/favicon\.svg" type="image\/svg\+xml">/);
  });
});
