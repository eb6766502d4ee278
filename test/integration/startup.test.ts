// The process as an operator meets it: `npm start` with a file, refusals that name the
// field and rule (never a stack trace), health and readiness, graceful shutdown.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freePort, testRawConfig } from '../helpers/idp.js';

const dir = mkdtempSync(join(tmpdir(), 'idp-start-'));

function start(configPath: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitFor(fn: () => boolean, ms = 15000) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('starting the IdP', () => {
  it('refuses a client that breaks its profile, naming the client, field and rule', async () => {
    const path = join(dir, 'bad-client.json');
    writeFileSync(path, JSON.stringify(testRawConfig('http://127.0.0.1:1', {
      clients: [{ client_id: 'oops', classification: 'SENSITIVE', token_endpoint_auth_method: 'none', response_types: ['code id_token'], redirect_uris: ['https://rp.example/cb'] }],
    })));
    const p = start(path);
    assert.equal(await p.exited, 1);
    assert.match(p.err(), /clients\[0\]\.token_endpoint_auth_method: client "oops".*\(GR-2\)/);
    assert.match(p.err(), /clients\[0\]\.dpop_bound_access_tokens: .*\(EP-2\)/);
    assert.doesNotMatch(p.err(), /\n\s+at .+:\d+:\d+/, 'no stack trace');
  });

  it('refuses a file with the wrong shape, one line per problem', async () => {
    const path = join(dir, 'bad-shape.json');
    writeFileSync(path, JSON.stringify({ issuer: 'nope', port: 'x' }));
    const p = start(path);
    assert.equal(await p.exited, 1);
    assert.match(p.err(), /- issuer: /);
    assert.match(p.err(), /- port: /);
  });

  it('starts, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const path = join(dir, 'good.json');
    writeFileSync(path, JSON.stringify({ ...testRawConfig(`http://127.0.0.1:${port}`), port, demo: { enabled: true } }));
    const p = start(path);
    await waitFor(() => p.out().includes('/demo'));
    assert.match(p.out(), new RegExp(`Open http://127\\.0\\.0\\.1:${port}/demo`));
    assert.match(p.out(), /EPHEMERAL SIGNING KEYS/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', store: 'memory' });
    const demo = await fetch(`http://127.0.0.1:${port}/demo`);
    assert.equal(demo.status, 200);
    assert.match(demo.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
    assert.match(p.out(), /"event":"shutdown"/);
  });

  it('PORT overrides the file', async () => {
    const port = await freePort();
    const path = join(dir, 'port.json');
    writeFileSync(path, JSON.stringify({ ...testRawConfig(`http://127.0.0.1:${port}`), port: 1 }));
    const p = start(path, { PORT: String(port) });
    await waitFor(() => p.out().includes('"event":"listening"'));
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    p.child.kill('SIGINT');
    assert.equal(await p.exited, 0);
  });
});

describe('developer documentation', () => {
  it('OIDC-6, EP-10: /docs lists the scopes, the APIs and the onboarding rules of this deployment', async () => {
    const { startIdp } = await import('../helpers/idp.js');
    const running = await startIdp();
    try {
      const meta = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as { service_documentation: string };
      const res = await fetch(meta.service_documentation);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<code>nhi<\/code>/);
      assert.match(html, /See your National Health Index number/);
      assert.match(html, /https:\/\/api\.test\/fhir/);
      assert.match(html, /PKCE/);
    } finally {
      await running.close();
    }
  });
});

describe('SMART on FHIR discovery', () => {
  it('OIDC-9: /.well-known/smart-configuration describes what is offered, with the FHIR API scopes', async () => {
    const { startIdp } = await import('../helpers/idp.js');
    const running = await startIdp();
    try {
      const smart = (await (await fetch(`${running.url}/.well-known/smart-configuration`)).json()) as Record<string, string[] | string>;
      const oidcMeta = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as Record<string, string[] | string>;
      assert.equal(smart.token_endpoint, oidcMeta.token_endpoint);
      assert.deepEqual(smart.code_challenge_methods_supported, ['S256']);
      assert.deepEqual(smart.response_types_supported, oidcMeta.response_types_supported);
      assert.ok((smart.scopes_supported as string[]).includes('patient/Observation.rs'));
      // Issue 15 item 6: nothing advertised that does not work. This deployment declares no FHIR
      // server, so its SMART-looking scopes are plain API scopes and no launch or permission
      // capability is offered (the FHIR cases: test/integration/smart-*.test.ts).
      const capabilities = smart.capabilities as string[];
      for (const cap of ['launch-standalone', 'launch-ehr', 'permission-v1', 'permission-v2', 'permission-patient']) {
        assert.ok(!capabilities.includes(cap), `${cap} advertised without a FHIR server`);
      }
      assert.ok(capabilities.includes('sso-openid-connect'));
    } finally {
      await running.close();
    }
  });
});

describe('pages for people', () => {
  it('a bad form on the CIBA approval page or the demo gets a readable page, not a bare status', async () => {
    const { startIdp } = await import('../helpers/idp.js');
    const running = await startIdp({ features: { ciba: true }, demo: { enabled: true } });
    try {
      for (const path of ['/ciba/approve/decide', '/demo/start']) {
        const res = await fetch(`${running.url}${path}`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
        const html = await res.text();
        assert.equal(res.status, 415, path);
        assert.match(html, /<h1>The form could not be used<\/h1>/, path);
      }
    } finally {
      await running.close();
    }
  });
});
