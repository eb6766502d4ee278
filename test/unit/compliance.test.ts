// The compliance report: every rule, a status that follows the deployment file, and a
// CLI whose exit code an assurance pipeline can gate on.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, type Config } from '../../src/config/load.js';
import type { RawConfig } from '../../src/config/schema.js';
import { ASSESSORS, complianceReport } from '../../src/compliance/report.js';
import type { Report, ReportRow } from '../../src/compliance/types.js';
import { withDemoClients } from '../../src/demo/index.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { RULES } from '../../src/policy/rules.js';
import { staticClients } from '../helpers/clients.js';
import { REDIRECT } from '../helpers/fixtures.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';
import { KEY32, PRODUCTION_JWKS, RANDOM_TEXT } from '../helpers/production.js';

const dir = mkdtempSync(join(tmpdir(), 'idp-compliance-'));
let files = 0;
function file(content: unknown): string {
  const path = join(dir, `config-${(files += 1)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

const key32 = KEY32;
/** A production file that passes the deployment checks (TLS at a trusted proxy). */
const production: RawConfig = {
  mode: 'production',
  issuer: 'https://id.example.health',
  proxy: true,
  keys: { signing: { jwks: PRODUCTION_JWKS } },
  store: { type: 'memory', singleInstance: true },
  secrets: { cookieKeys: [RANDOM_TEXT], sealingKeys: [{ kid: 'k1', key: key32 }], lookupKey: key32 },
  resourceServers: [{ identifier: 'https://api.example.health/clinic', classification: 'IN-CONFIDENCE', scopes: { 'clinic.read': 'See your clinic visits' } }],
  clients: staticClients,
};

function reportFor(raw: RawConfig): Report {
  const config = configFrom(raw);
  return complianceReport(config, checkDeployment(config), { generatedAt: new Date(0) });
}

function rowOf(report: Report, id: string): ReportRow {
  const row = report.rows.find((r) => r.id === id);
  assert.ok(row, `row ${id}`);
  return row;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as an operator runs it, in a child process. */
function cli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/compliance/cli.ts', ...args], { env: { ...process.env, IDP_CONFIG: '' } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr });
    });
  });
}

/** ID and status of each row of the Markdown table. */
function markdownRows(markdown: string): [string, string][] {
  return markdown
    .split('\n')
    .filter((line) => /^\| (TOK|EP|OIDC|GR|AUTH)-\d+ \|/.test(line))
    .map((line) => {
      const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
      return [cells[1] ?? '', (cells[4] ?? '').replace(/\*/g, '')];
    });
}

async function developmentReport(): Promise<Report> {
  const loaded: Config = loadConfig('config/development.json', { env: {} });
  const { config, clients } = await withDemoClients(loaded);
  return complianceReport(config, checkDeployment(config), { demoClientIds: clients.map((c) => c.metadata.client_id) });
}

describe('compliance report', () => {
  it('AUTH-1: production gives SENSITIVE clients the MFA level; a password-only minimum breaks start-up unless declared as a deviation, which the report shows', () => {
    assert.equal(rowOf(reportFor(production), 'AUTH-1').status, 'enforced');
    const lowered: RawConfig = { ...production, assurance: { minimum: { SENSITIVE: 'urn:health-idp:acr:password' } } };
    const broken = rowOf(reportFor(lowered), 'AUTH-1');
    assert.equal(broken.status, 'broken');
    assert.match(broken.problems.join(' '), /assurance\.minimum\.SENSITIVE/);
    const declared = { ...lowered, deviations: [{ rule: 'AUTH-1', setting: 'assurance.minimum.SENSITIVE', reason: 'Staff sign in on managed devices behind the agency VPN for the pilot.' }] };
    const row = rowOf(reportFor(declared), 'AUTH-1');
    assert.equal(row.status, 'deviation');
    assert.match(row.deviation?.reason ?? '', /managed devices/);
  });

  it('OIDC-3: the claims parameter is reported as open for acr only, read off the library hook itself', () => {
    const row = rowOf(reportFor(production), 'OIDC-3');
    assert.equal(row.status, 'enforced');
    assert.match(row.evidence, /claims parameter acr only/);
    assert.match(row.mechanism ?? '', /claims parameter asking for anything but the ID token's acr/);
  });

  it('has an assessment for every rule of the catalogue (src/policy/rules.ts)', () => {
    assert.deepEqual(Object.keys(ASSESSORS).sort(), RULES.map((r) => r.id).sort());
  });

  it('the development file: every rule (the guideline\'s 38 and AUTH-1), in catalogue order, each with evidence', async () => {
    const report = await developmentReport();
    assert.equal(report.rows.length, RULES.length);
    assert.deepEqual(report.rows.map((r) => r.id), RULES.map((r) => r.id));
    for (const row of report.rows) assert.ok(row.evidence.length > 10, `${row.id} has evidence`);
    assert.equal(Object.values(report.summary).reduce((a, b) => a + b, 0), RULES.length);
    assert.equal(report.mode, 'development');
    assert.equal(report.store, 'memory');
    assert.ok(report.startsUp);
    assert.ok(report.notes.some((n) => n.includes('demo-sensitive')), 'the demo clients are counted');
    // EP-11: http is allowed in development mode, and the report says so.
    assert.equal(rowOf(report, 'EP-11').status, 'deviation');
    assert.equal(rowOf(report, 'EP-11').deviation?.setting, 'mode = development');
  });

  it('the development file has no broken MUST rule', async () => {
    assert.deepEqual((await developmentReport()).mandatoryBroken, []);
  });

  it('a development file without identity scopes: no broken MUST, EP-9 CIBA and EP-10 /register as they are', () => {
    const report = reportFor(testRawConfig('http://localhost:3000', { scopes: {}, clients: staticClients }));
    assert.deepEqual(report.mandatoryBroken, []);
    assert.equal(rowOf(report, 'EP-9').status, 'not applicable');
    assert.equal(rowOf(report, 'TOK-10').status, 'not applicable');
    assert.match(rowOf(report, 'EP-10').evidence, /\/register off/);
    assert.equal(rowOf(report, 'EP-10').status, 'default', 'EP-10: onboarding documentation still counts');
  });

  it('TOK-3: a declared deviation shows the setting and the reason', () => {
    const reason = 'The legacy lab system cannot refresh tokens; retired in March.';
    const report = reportFor(
      testRawConfig('http://localhost:3000', {
        lifetimes: { accessToken: 7200 },
        deviations: [{ rule: 'TOK-3', setting: 'lifetimes.accessToken', reason }],
      }),
    );
    const row = rowOf(report, 'TOK-3');
    assert.equal(row.status, 'deviation');
    assert.deepEqual(row.deviation, { setting: 'lifetimes.accessToken', reason });
    assert.match(row.evidence, /lifetimes\.accessToken = 7200 s/);
  });

  it('TOK-3: within the cap it is enforced, naming the value and the cap', () => {
    const row = rowOf(reportFor(testRawConfig('http://localhost:3000')), 'TOK-3');
    assert.equal(row.status, 'enforced');
    assert.match(row.evidence, /lifetimes\.accessToken = 600 s \(cap 3599\)/);
    assert.ok(row.mechanism);
  });

  it('TOK-2: a deviation declared for a MUST is refused, and the rule reads broken', () => {
    const report = reportFor(testRawConfig('http://localhost:3000', { deviations: [{ rule: 'TOK-2', setting: 'store', reason: 'we would rather not encrypt' }] }));
    assert.equal(rowOf(report, 'TOK-2').status, 'broken');
    assert.ok(report.mandatoryBroken.includes('TOK-2'));
    assert.equal(report.startsUp, false);
  });

  it('GR-2: a public SENSITIVE client is broken, naming the client', () => {
    const report = reportFor(
      testRawConfig('http://localhost:3000', {
        clients: [{ client_id: 'leaky', classification: 'SENSITIVE', token_endpoint_auth_method: 'none', redirect_uris: [REDIRECT], dpop_bound_access_tokens: true }],
      }),
    );
    const row = rowOf(report, 'GR-2');
    assert.equal(row.status, 'broken');
    assert.ok(row.problems.some((p) => p.includes('leaky')));
    assert.equal(row.mechanism, null);
    assert.ok(report.mandatoryBroken.includes('GR-2'));
  });

  it('TOK-6 and TOK-7: an opaque API keeps introspection on and is a named deviation from JWT', () => {
    const report = reportFor(
      testRawConfig('http://localhost:3000', {
        resourceServers: [{ identifier: 'https://api.test/legacy', name: 'Legacy API', classification: 'PUBLIC', scopes: { 'legacy.read': 'Read' }, accessTokenFormat: 'opaque' }],
      }),
    );
    assert.equal(rowOf(report, 'TOK-6').status, 'enforced');
    assert.match(rowOf(report, 'TOK-6').evidence, /Legacy API/);
    const tok7 = rowOf(report, 'TOK-7');
    assert.equal(tok7.status, 'deviation');
    assert.match(tok7.deviation?.setting ?? '', /resourceServers\[0\]\.accessTokenFormat = opaque/);
    assert.match(tok7.deviation?.reason ?? '', /none given/);
  });

  it('TOK-8: an encrypted API is named; with no identity scopes nothing carries PII', () => {
    const report = reportFor(
      testRawConfig('http://localhost:3000', {
        scopes: {},
        resourceServers: [{ identifier: 'https://api.test/fhir', classification: 'SENSITIVE', scopes: { 'patient/Observation.rs': 'Read' }, encrypt: { jwk: { kty: 'EC' }, alg: 'ECDH-ES', enc: 'A256GCM' } }],
      }),
    );
    const row = rowOf(report, 'TOK-8');
    assert.equal(row.status, 'not applicable');
    assert.match(row.evidence, /ECDH-ES\/A256GCM/);
  });

  it('TOK-9: RS256 opted in is named', () => {
    const row = rowOf(reportFor(testRawConfig('http://localhost:3000', { algorithms: { idToken: ['PS256', 'RS256'], accessToken: 'PS256' } })), 'TOK-9');
    assert.equal(row.status, 'enforced');
    assert.match(row.evidence, /RS256 opted in/);
  });

  it('TOK-9: RS256 client assertions opted in (algorithms.clientAuthentication) are named', () => {
    const plain = rowOf(reportFor(testRawConfig('http://localhost:3000')), 'TOK-9');
    assert.doesNotMatch(plain.evidence, /client assertions[^;]*RS256/);
    const row = rowOf(reportFor(testRawConfig('http://localhost:3000', { algorithms: { clientAuthentication: ['ES256', 'PS256', 'RS256'] } })), 'TOK-9');
    assert.equal(row.status, 'enforced');
    assert.match(row.evidence, /client assertions \(private_key_jwt\): ES256, PS256, RS256 \(algorithms\.clientAuthentication\), RS256 opted in/);
  });

  it('GR-4 and OIDC-2: id_token token for PUBLIC clients is named', () => {
    const report = reportFor(testRawConfig('http://localhost:3000', { features: { implicitForPublic: true } }));
    assert.match(rowOf(report, 'GR-4').evidence, /id_token token \(features\.implicitForPublic = true\)/);
    assert.equal(rowOf(report, 'OIDC-2').status, 'default');
  });

  it('EP-10: /register when registration is on', () => {
    assert.match(rowOf(reportFor(testRawConfig('http://localhost:3000', { features: { registration: true } })), 'EP-10').evidence, /\/register on/);
  });

  it('EP-11: https at a trusted proxy is default; without the proxy setting it is broken', () => {
    assert.equal(rowOf(reportFor(production), 'EP-11').status, 'default');
    const direct = reportFor({ ...production, proxy: false });
    assert.equal(rowOf(direct, 'EP-11').status, 'broken');
    assert.ok(direct.mandatoryBroken.includes('EP-11'));
  });

  it('is pure: the same input gives the same report', () => {
    const config = configFrom(testRawConfig('http://localhost:3000', { clients: staticClients }));
    const policy = checkDeployment(config);
    assert.deepEqual(complianceReport(config, policy, { generatedAt: new Date(0) }), complianceReport(config, policy, { generatedAt: new Date(0) }));
  });
});

describe('compliance CLI', () => {
  it('Markdown by default: title with the issuer, summary, a row per rule; exit 1 exactly when a MUST is broken', async () => {
    const run = await cli('--config', 'config/development.json');
    assert.match(run.stdout, /^# Compliance report: http:\/\/localhost:3000/);
    assert.match(run.stdout, /\| Mode \| development \|/);
    assert.match(run.stdout, /## Summary/);
    assert.equal(markdownRows(run.stdout).length, RULES.length);
    const mandatoryBroken = /\*\*Broken MUST \/ MUST NOT rules:\*\* none/.test(run.stdout) ? 0 : 1;
    assert.equal(run.code, mandatoryBroken);
  });

  it('--json parses and has the same rows as the Markdown', async () => {
    const path = file({ ...production, scopes: {} });
    const [json, markdown] = await Promise.all([cli('--config', path, '--json'), cli('--config', path)]);
    const report = JSON.parse(json.stdout) as Report;
    assert.equal(report.rows.length, RULES.length);
    assert.deepEqual(report.rows.map((r) => [r.id, r.status]), markdownRows(markdown.stdout));
    assert.equal(report.issuer, 'https://id.example.health');
    assert.equal(json.code, 0, 'nothing mandatory broken in this production file');
    assert.equal(markdown.code, 0);
  });

  it('EP-11: a production issuer over http is broken and exits 1', async () => {
    const run = await cli('--config', file({ ...production, issuer: 'http://id.example.health' }), '--json');
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout) as Report;
    assert.equal(rowOf(report, 'EP-11').status, 'broken');
    assert.ok(report.mandatoryBroken.includes('EP-11'));
  });

  it('an unreadable configuration exits 2 with a readable message, no stack trace', async () => {
    for (const path of [join(dir, 'missing.json'), file('{ not json')]) {
      const run = await cli('--config', path);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /cannot be used/);
      assert.doesNotMatch(run.stderr, /\n\s+at /);
      assert.equal(run.stdout, '');
    }
  });
});

describe('compliance report follows the policy data', () => {
  it('GR-4: plain OAuth 2 code is refused because every profile requires openid — enforced, not broken', async () => {
    const { PROFILES } = await import('../../src/policy/classification.js');
    assert.ok(Object.values(PROFILES).every((p) => p.openidRequired));
    const config = configFrom(testRawConfig('http://localhost:3000', { clients: staticClients }));
    const report = complianceReport(config, checkDeployment(config), { generatedAt: new Date(0) });
    assert.equal(rowOf(report, 'GR-4').status, 'enforced');
  });
});

describe('compliance report: features the deployment turns on', () => {
  it('TOK-10 is enforced when the ledger export token is set; EP-9 names features.ciba', () => {
    const token = RANDOM_TEXT;
    const config = configFrom(testRawConfig('http://localhost:3000', { clients: staticClients, consent: { exportToken: token } }));
    const report = complianceReport(config, checkDeployment(config), { generatedAt: new Date(0) });
    assert.equal(rowOf(report, 'TOK-10').status, 'enforced');
    assert.match(rowOf(report, 'EP-9').evidence, /features\.ciba = false/);
    assert.doesNotMatch(JSON.stringify(report), new RegExp(token), 'the token itself is never in the report');
  });
});
