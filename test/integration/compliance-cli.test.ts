// The compliance report as a release pipeline runs it: `npm run compliance` in a child
// process, judged by its exit code. 0 only when start-up accepts the file and no MUST is
// broken; 1 a MUST broken; 2 the file cannot be loaded; 3 start-up would refuse it.
// --no-secrets runs it where the secret files are not: secrets reported unread, never made up.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import type { RawConfig } from '../../src/config/schema.js';
import { createIdp } from '../../src/server.js';
import type { Report } from '../../src/compliance/types.js';

const dir = mkdtempSync(join(tmpdir(), 'idp-compliance-cli-'));
let files = 0;
function file(content: unknown, name = `config-${(files += 1)}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

async function privateJwk(alg: 'ES256' | 'PS256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: alg.toLowerCase() };
}

// Real material, as an operator makes it, each secret in its own file.
const secretFiles = {
  jwks: file({ keys: [await privateJwk('ES256'), await privateJwk('PS256')] }, 'signing-jwks.json'),
  sealing: file(randomBytes(32).toString('base64url'), 'sealing-key'),
  lookup: file(randomBytes(32).toString('base64url'), 'lookup-key'),
  cookie: file(randomBytes(48).toString('base64url'), 'cookie-key'),
  exportToken: file(randomBytes(48).toString('base64url'), 'export-token'),
};

/** A production file that start-up accepts, with every secret in a file. */
const production: RawConfig = {
  mode: 'production',
  issuer: 'https://id.example.health',
  proxy: true,
  keys: { signing: { path: secretFiles.jwks } },
  secrets: {
    cookieKeys: [{ file: secretFiles.cookie }],
    sealingKeys: [{ kid: '2026-11', key: { file: secretFiles.sealing } }],
    lookupKey: { file: secretFiles.lookup },
  },
  consent: { exportToken: { file: secretFiles.exportToken } },
  resourceServers: [{ identifier: 'https://api.example.health/clinic', classification: 'IN-CONFIDENCE', scopes: { 'clinic.read': 'See your clinic visits' } }],
  clients: [
    {
      client_id: 'clinic-portal',
      classification: 'IN-CONFIDENCE',
      token_endpoint_auth_method: 'private_key_jwt',
      jwks_uri: 'https://portal.example.health/jwks.json',
      response_types: ['code id_token'],
      grant_types: ['authorization_code'],
      redirect_uris: ['https://portal.example.health/callback'],
    },
  ],
};

/** The same file with its secrets where a CI runner has none. */
const elsewhere: RawConfig = {
  ...production,
  keys: { signing: { path: '/nonexistent/idp-signing-jwks.json' } },
  secrets: {
    cookieKeys: [{ env: 'IDP_TEST_COOKIE_KEY_UNSET' }],
    sealingKeys: [{ kid: '2026-11', key: { file: '/nonexistent/idp-sealing-key' } }],
    lookupKey: { file: '/nonexistent/idp-lookup-key' },
  },
  consent: { exportToken: { file: '/nonexistent/idp-export-token' } },
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, IDP_CONFIG: '' };
  delete env.IDP_TEST_COOKIE_KEY_UNSET;
  delete env.REDIS_URL;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/compliance/cli.ts', ...args], { env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

async function jsonRun(raw: RawConfig, ...flags: string[]): Promise<Run & { report: Report }> {
  const run = await cli('--config', file(raw), '--json', ...flags);
  assert.ok(run.stdout, `a report on stdout (stderr: ${run.stderr})`);
  return { ...run, report: JSON.parse(run.stdout) as Report };
}

describe('compliance CLI exit codes (a release gate)', { concurrency: true }, () => {
  it('0: start-up accepts the file and no MUST is broken', async () => {
    const { code, report } = await jsonRun(production);
    assert.equal(report.startsUp, true);
    assert.deepEqual(report.mandatoryBroken, []);
    assert.equal(code, 0);
  });

  it('EP-11: 1 when a MUST is broken (an http issuer in production)', async () => {
    const { code, report } = await jsonRun({ ...production, issuer: 'http://id.example.health' });
    assert.ok(report.mandatoryBroken.includes('EP-11'));
    assert.equal(code, 1);
  });

  it('TOK-3: 3 when start-up would refuse the file although no MUST is broken (a SHOULD cap exceeded)', async () => {
    const { code, report } = await jsonRun({ ...production, lifetimes: { accessToken: 7200 } });
    assert.equal(report.startsUp, false);
    assert.deepEqual(report.mandatoryBroken, [], 'TOK-3 is a SHOULD');
    assert.equal(code, 3);
  });

  it('3 when start-up would refuse a problem that names no rule (the demo in production)', async () => {
    const run = await cli('--config', file({ ...production, demo: { enabled: true } }));
    assert.match(run.stdout, /\| Starts up \| no/);
    assert.match(run.stdout, /demo\.enabled: the demo relying party is for development mode only/);
    assert.equal(run.code, 3);
  });

  it('2 when a secret cannot be read, naming the field and never a value', async () => {
    const run = await cli('--config', file(elsewhere));
    assert.equal(run.code, 2);
    assert.match(run.stderr, /secrets\.lookupKey: cannot read secret file \/nonexistent\/idp-lookup-key/);
    assert.match(run.stderr, /environment variable IDP_TEST_COOKIE_KEY_UNSET is not set/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(run.stdout, '');
  });
});

describe('compliance CLI --no-secrets', { concurrency: true }, () => {
  it('reports without the secret files: each secret listed as not read, nothing made up, exit 0', async () => {
    const { code, report } = await jsonRun(elsewhere, '--no-secrets');
    assert.equal(code, 0);
    assert.deepEqual(report.unresolvedSecrets, [
      'secrets.cookieKeys[0] (env IDP_TEST_COOKIE_KEY_UNSET)',
      'secrets.sealingKeys[0].key (file /nonexistent/idp-sealing-key)',
      'secrets.lookupKey (file /nonexistent/idp-lookup-key)',
      'consent.exportToken (file /nonexistent/idp-export-token)',
      'keys.signing.path (file /nonexistent/idp-signing-jwks.json)',
    ]);
    const notes = report.notes.join('\n');
    assert.match(notes, /secrets not read \(--no-secrets\)/);
    assert.doesNotMatch(notes, /ephemeral/, 'no secret or key is reported as made up');
    const row = (id: string) => report.rows.find((r) => r.id === id);
    assert.match(row('EP-7')?.evidence ?? '', /keys\.signing\.path \(not read: --no-secrets\)/);
    assert.match(row('TOK-2')?.evidence ?? '', /sealing key ids 2026-11/);
    assert.equal(row('TOK-10')?.status, 'enforced', 'the export token is configured, though unread');
  });

  it('the Markdown says start-up holds only as far as could be checked without the secrets', async () => {
    const run = await cli('--config', file(elsewhere), '--no-secrets');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /\| Starts up \| yes, as far as could be checked without the secrets \(--no-secrets\) \|/);
  });

  it('still gates: a MUST broken exits 1, start-up refusal exits 3', async () => {
    assert.equal((await jsonRun({ ...elsewhere, issuer: 'http://id.example.health' }, '--no-secrets')).code, 1);
    assert.equal((await jsonRun({ ...elsewhere, lifetimes: { accessToken: 7200 } }, '--no-secrets')).code, 3);
  });

  it('TOK-10: a secret written into the file is still checked (exit 2)', async () => {
    const run = await cli('--config', file({ ...elsewhere, consent: { exportToken: 'short' } }), '--no-secrets');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /consent\.exportToken: must be at least 40 random characters \(TOK-10\)/);
    assert.doesNotMatch(run.stderr, /short/);
  });

  it('a configuration loaded without its secrets can never start an IdP', async () => {
    const config = loadConfig(file(elsewhere), { resolveSecrets: false, env: {} });
    await assert.rejects(createIdp(config), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.format(), /secrets\.lookupKey \(file \/nonexistent\/idp-lookup-key\): was not read \(loaded for reporting only\)/);
      return true;
    });
  });
});
