// Discovery and JWKS are static for a deployment: computed once, answered with an ETag and
// Cache-Control, 304 when the caller already has them (issue 13 item 7). OIDC-6: the
// cached discovery still lists API scopes. EP-7: a key change replaces the cached JWKS.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { staticClients } from '../helpers/clients.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';

const run = promisify(execFile);
const DISCOVERY = '/.well-known/openid-configuration';

/** A GET with a Host header of our choosing (fetch may not set Host). */
function getWithHost(url: string, host: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('discovery and JWKS: precomputed, with ETag and Cache-Control', () => {
  let dir: string;
  let deployment: string;
  let idp: RunningIdp;
  const ALGORITHMS = { idToken: ['ES256'], accessToken: 'ES256' };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-static-'));
    deployment = join(dir, 'deployment.json');
    writeFileSync(deployment, JSON.stringify({ mode: 'development', issuer: 'http://127.0.0.1:1', keys: { signing: { path: 'signing.jwks.json' } }, algorithms: ALGORITHMS }));
    await run(process.execPath, ['--import', 'tsx', 'src/keys/cli.ts', 'generate', '--config', deployment]);
    // A slow file watch: this test reloads by hand (SIGHUP's path).
    idp = await startIdp({ clients: staticClients, keys: { signing: { path: join(dir, 'signing.jwks.json') } }, algorithms: ALGORITHMS }, { keyWatch: { intervalMs: 600_000, debounceMs: 10 } });
  });
  after(async () => {
    await idp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [path, type] of [[DISCOVERY, 'application/json'], ['/jwks', 'application/jwk-set+json']] as const) {
    it(`${path}: the same bytes and ETag every time, Cache-Control public, 304 on If-None-Match`, async () => {
      const first = await fetch(`${idp.url}${path}`);
      const etag = first.headers.get('etag');
      assert.equal(first.status, 200);
      assert.match(etag ?? '', /^"[A-Za-z0-9_-]{16,}"$/);
      assert.match(first.headers.get('cache-control') ?? '', /^public, max-age=\d+$/);
      assert.ok(first.headers.get('content-type')?.startsWith(type), first.headers.get('content-type') ?? '');
      // The strict headers and the request id still come with a cached answer.
      assert.equal(first.headers.get('x-content-type-options'), 'nosniff');
      assert.ok(first.headers.get('x-request-id'));
      const body = await first.text();

      const second = await fetch(`${idp.url}${path}`);
      assert.equal(second.headers.get('etag'), etag);
      assert.equal(await second.text(), body);

      const revalidated = await fetch(`${idp.url}${path}`, { headers: { 'if-none-match': etag ?? '' } });
      assert.equal(revalidated.status, 304);
      assert.equal(revalidated.headers.get('etag'), etag);
      assert.equal(await revalidated.text(), '');

      const stale = await fetch(`${idp.url}${path}`, { headers: { 'if-none-match': '"something-else"' } });
      assert.equal(stale.status, 200);
      assert.equal(await stale.text(), body);

      const head = await fetch(`${idp.url}${path}`, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('etag'), etag);
    });

    it(`${path}: CORS as the library answers it (any origin may read, Vary: Origin)`, async () => {
      const res = await fetch(`${idp.url}${path}`, { headers: { origin: 'https://app.example' } });
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example');
      assert.match(res.headers.get('vary') ?? '', /origin/i);
      const preflight = await fetch(`${idp.url}${path}`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
      assert.equal(preflight.status, 204);
      assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://app.example');
    });
  }

  it('OIDC-6: the precomputed discovery lists identity and API scopes', async () => {
    const meta = (await (await fetch(`${idp.url}${DISCOVERY}`)).json()) as { scopes_supported: string[]; issuer: string };
    assert.equal(meta.issuer, idp.url);
    assert.ok(meta.scopes_supported.includes('openid'));
    assert.ok(meta.scopes_supported.includes('clinic.read'), meta.scopes_supported.join(' '));
  });

  it('a request for another host is answered by the library, not from the issuer\'s cache (and still lists API scopes)', async () => {
    const port = new URL(idp.url).port;
    const other = await getWithHost(`${idp.url}${DISCOVERY}`, `localhost:${port}`);
    assert.equal(other.status, 200);
    assert.equal(other.body.authorization_endpoint, `http://localhost:${port}/authorize`);
    assert.ok((other.body.scopes_supported as string[]).includes('clinic.read'));
    const own = (await (await fetch(`${idp.url}${DISCOVERY}`)).json()) as Record<string, unknown>;
    assert.equal(own.authorization_endpoint, `${idp.url}/authorize`);
  });

  it('EP-7: a key change (SIGHUP) replaces the cached JWKS and its ETag', async () => {
    const before = await fetch(`${idp.url}/jwks`);
    const etag = before.headers.get('etag') ?? '';
    const kids = ((await before.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    await run(process.execPath, ['--import', 'tsx', 'src/keys/cli.ts', 'rotate', '--config', deployment]);
    idp.idp.reloadKeys();
    await sleep(300); // the reload is debounced (10 ms here)
    const after = await fetch(`${idp.url}/jwks`, { headers: { 'if-none-match': etag } });
    assert.equal(after.status, 200, 'the old ETag no longer matches');
    assert.notEqual(after.headers.get('etag'), etag);
    const now = ((await after.json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    assert.equal(now.length, kids.length + 1, 'the pending key is published');
  });
});
