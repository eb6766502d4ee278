// EP-7, TOK-9: signing-key lifecycle across two replicas sharing one key file, driven by
// the operator command (src/keys/cli.ts) exactly as an operator would run it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oidc from 'openid-client';
import { service, staticClients } from '../helpers/clients.js';
import { API } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import type { AuditEvent } from '../../src/ops/audit.js';
import { decodeHeader, relyingParty } from '../helpers/rp.js';

const run = promisify(execFile);
const ALGORITHMS = { idToken: ['ES256'], accessToken: 'ES256' };

async function keys(deployment: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/keys/cli.ts', ...args, '--config', deployment]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function published(idp: RunningIdp): Promise<JSONWebKeySet> {
  const res = await fetch(`${idp.url}/jwks`);
  return (await res.json()) as JSONWebKeySet;
}
const kids = (set: JSONWebKeySet) => set.keys.map((k) => k.kid);

async function accessToken(idp: RunningIdp): Promise<string> {
  const rp = await relyingParty(idp.url, service);
  return (await oidc.clientCredentialsGrant(rp, { resource: API.inConfidence, scope: 'clinic.read' })).access_token;
}

/** Poll (no timing assertion): resolves when `check` holds, fails after a generous bound. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await sleep(100);
  }
  assert.fail(`never happened: ${what}`);
}

describe('EP-7 signing-key rotation with two replicas on one key file', () => {
  let dir: string;
  let deployment: string;
  let keyFile: string;
  let a: RunningIdp;
  let b: RunningIdp;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'idp-keys-'));
    deployment = join(dir, 'deployment.json');
    keyFile = join(dir, 'signing.jwks.json');
    writeFileSync(deployment, JSON.stringify({ mode: 'development', issuer: 'http://127.0.0.1:1', keys: { signing: { path: 'signing.jwks.json' } }, algorithms: ALGORITHMS }));
    const generated = await keys(deployment, 'generate');
    assert.equal(generated.code, 0, generated.stderr);
    const patch = { clients: staticClients, keys: { signing: { path: keyFile } }, algorithms: ALGORITHMS };
    const keyWatch = { intervalMs: 100, debounceMs: 50 };
    a = await startIdp(patch, { keyWatch });
    b = await startIdp(patch, { keyWatch });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('EP-7: generate writes a private key file; a second generate is refused', async () => {
    const jwks = JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: Record<string, unknown>[] };
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0]?.crv, 'P-256');
    assert.equal(typeof jwks.keys[0]?.d, 'string');
    const again = await keys(deployment, 'generate');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists/);
    // Public /jwks never carries private members.
    assert.ok((await published(a)).keys.every((k) => !('d' in k) && !('activate_at' in k)));
  });

  it('EP-7: a rotated key is published by every replica before any replica signs with it; old tokens verify until retired', async () => {
    const before = await accessToken(a);
    const oldKid = decodeHeader(before).kid;
    assert.deepEqual(kids(await published(b)), [oldKid]);

    const rotated = await keys(deployment, 'rotate', '--promote-after', '3');
    assert.equal(rotated.code, 0, rotated.stderr);
    const newKid = (JSON.parse(readFileSync(keyFile, 'utf8')) as { keys: { kid: string }[] }).keys[1]?.kid;
    assert.ok(newKid && newKid !== oldKid);

    // Until both replicas sign with the new key: every token's kid must already be in both
    // replicas' /jwks as fetched just before the token was asked for.
    const signedBy = new Set<unknown>();
    await eventually('both replicas sign with the new key', async () => {
      const [setA, setB] = [await published(a), await published(b)];
      const tokens = [await accessToken(a), await accessToken(b)];
      for (const token of tokens) {
        const kid = decodeHeader(token).kid;
        assert.ok(kids(setA).includes(kid as string) && kids(setB).includes(kid as string), `signed with ${String(kid)} before both replicas published it`);
        await jwtVerify(token, createLocalJWKSet(setA));
        await jwtVerify(token, createLocalJWKSet(setB));
      }
      const now = tokens.map((t) => decodeHeader(t).kid);
      now.forEach((k) => signedBy.add(k));
      return now.every((k) => k === newKid);
    });
    assert.ok(signedBy.has(oldKid), 'the old key signed while the new one was pending');

    // Superseded but not retired: the token signed before the rotation still verifies.
    for (const idp of [a, b]) {
      const set = await published(idp);
      assert.deepEqual(kids(set).sort(), [oldKid, newKid].sort());
      await jwtVerify(before, createLocalJWKSet(set));
    }

    // Retire refuses while tokens it signed may still be valid (lifetimes default to 600 s).
    const early = await keys(deployment, 'retire');
    assert.equal(early.code, 2);
    assert.match(early.stderr, new RegExp(`not retired.*${oldKid as string}`));

    const retired = await keys(deployment, 'retire', '--max-lifetime', '0');
    assert.equal(retired.code, 0, retired.stderr);
    assert.match(retired.stdout, /keys\.rotated/);
    await eventually('both replicas drop the retired key', async () => {
      const sets = [await published(a), await published(b)];
      return sets.every((s) => !kids(s).includes(oldKid as string));
    });
    await assert.rejects(jwtVerify(before, createLocalJWKSet(await published(b))));
    assert.equal(decodeHeader(await accessToken(b)).kid, newKid);
  });

  it('EP-7: a broken key file is refused and the running keys stay', async () => {
    const good = readFileSync(keyFile, 'utf8');
    const current = kids(await published(a));
    writeFileSync(keyFile, '{"keys": [{"kty": "EC"}]}');
    a.idp.reloadKeys();
    await sleep(500); // not a speed assertion: give a watcher the chance to (wrongly) apply it
    assert.deepEqual(kids(await published(a)), current);
    assert.ok(decodeHeader(await accessToken(a)).kid);
    writeFileSync(keyFile, good);
  });
});

describe('EP-7 SIGHUP re-reads the key file', () => {
  it('EP-7: reloadKeys (what SIGHUP calls) publishes a new key without the file watcher', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'idp-keys-hup-'));
    const deployment = join(dir, 'deployment.json');
    const keyFile = join(dir, 'signing.jwks.json');
    writeFileSync(deployment, JSON.stringify({ mode: 'development', issuer: 'http://127.0.0.1:1', keys: { signing: { path: keyFile } }, algorithms: ALGORITHMS }));
    assert.equal((await keys(deployment, 'generate')).code, 0);
    // The watcher polls once a minute here, so only the explicit reload can explain a change.
    const audited: AuditEvent[] = [];
    const idp = await startIdp(
      { clients: staticClients, keys: { signing: { path: keyFile } }, algorithms: ALGORITHMS },
      { keyWatch: { intervalMs: 60_000, debounceMs: 10 }, auditSink: { write: (event) => void audited.push(event) } },
    );
    try {
      assert.equal(kids(await published(idp)).length, 1);
      assert.equal((await keys(deployment, 'rotate', '--promote-after', '3600')).code, 0);
      idp.idp.reloadKeys();
      await eventually('the pending key is published', async () => kids(await published(idp)).length === 2);
      const pending = (await published(idp)).keys.find((k) => k.key_ops?.includes('verify'));
      assert.ok(pending, 'the pending key is published verify-only');
      assert.notEqual(decodeHeader(await accessToken(idp)).kid, pending.kid, 'a pending key does not sign');
      const rotated = audited.filter((e) => e.event === 'keys.rotated');
      assert.equal(rotated.length, 1, 'the change is in the audit trail, once');
      assert.equal(rotated[0]?.phase, 'SIGHUP');
      assert.ok((rotated[0]?.kids as string[]).includes(`${pending.kid}:pending`), 'with key ids and states, never key material');
      assert.doesNotMatch(JSON.stringify(rotated), /"d"|"x"|"y"|"n"/);
    } finally {
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
