// #13 item 5, #17 item 4: the stock build loads an agency's code without a fork. `npm run
// build`, then the compiled entry point (as the Docker image runs it) with a deployment file
// naming an account source, an audit sink, a logger and a store backend as plain .js modules
// in another directory; a real relying party signs a person in through them. The declarations the
// build emits are what an agency's TypeScript module compiles against.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import { buildApp, ROOT, run, startBuilt, stop } from '../helpers/built.js';
import { web, WEB_SECRET } from '../helpers/clients.js';
import { REDIRECT, TEST_APIS, TEST_SCOPES } from '../helpers/fixtures.js';
import { freePort } from '../helpers/idp.js';
import { MAP_BACKEND_SOURCE } from '../helpers/map-backend.js';
import { Person } from '../helpers/person.js';
import { accountModuleSource, moduleDir } from '../helpers/plugins.js';
import { callbackInput } from '../helpers/rp.js';

const PASSWORD = 'dana-directory-password';

const ACCOUNTS = accountModuleSource({ dana: { id: 'dir-dana', password: PASSWORD, claims: { name: 'Dana Directory', given_name: 'Dana', family_name: 'Directory' } } }, { logReady: true });

const AUDIT = `import { appendFileSync } from 'node:fs';
export function createAuditSink(options) {
  return { write(event) { appendFileSync(options.file, JSON.stringify(event) + '\\n'); } };
}
`;

// CommonJS, as some agencies write it.
const LOGGER = `const { appendFileSync } = require('node:fs');
module.exports = {
  createLogger(options) {
    const at = (level) => (line) => appendFileSync(options.file, JSON.stringify({ level, ...line }) + '\\n');
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  },
};
`;

const AGENCY_TS = `import type { AccountStore, AuditSink, CreateAccountStore, CreateAuditSink, CreateAuthenticationDevice, Logger, Store } from 'health-idp';
import { createIdp, loadConfig } from 'health-idp';
export const createAccountStore: CreateAccountStore = (_options, context) => {
  context.logger.log('info', 'ready');
  const store: AccountStore = { authenticate: async (u) => (u === 'x' ? 'id-x' : undefined), find: async (id) => ({ id, claims: { name: 'X' } }) };
  return store;
};
export const createAuditSink: CreateAuditSink = () => ({ write: (event) => void event.event }) satisfies AuditSink;
export const createAuthenticationDevice: CreateAuthenticationDevice = (decisions) => ({
  notify: async (request) => void (await decisions.approve(request.id, { accountId: request.accountId, amr: ['pwd'] })),
});
export async function start(path: string): Promise<{ store: Store; logger?: Logger }> {
  const idp = await createIdp(loadConfig(path));
  return { store: idp.store };
}
`;

const WRONG_TS = `import type { CreateAccountStore } from 'health-idp';
export const createAccountStore: CreateAccountStore = () => ({ authenticate: async () => 42, find: async () => undefined });
`;

const lines = (file: string): Record<string, unknown>[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];

describe('plug-ins in the built IdP: modules named in the deployment file', { timeout: 600_000 }, () => {
  let app: string;
  let plugins: string;
  let idp: ChildProcess | undefined;
  let issuer: string;
  let output: () => string = () => '';

  before(async () => {
    // The image's layout: package.json, dist/ and views/ in one directory (inside the
    // repository, so the dependencies resolve from its node_modules).
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    app = mkdtempSync(join(ROOT, 'test-output', 'plugins-'));
    await buildApp(app);

    // The agency's modules and deployment file, elsewhere (as mounted at /etc/idp).
    plugins = mkdtempSync(join(tmpdir(), 'idp-agency-'));
    const { module } = moduleDir(join(plugins, 'plugins'));
    module('accounts.js', ACCOUNTS);
    module('audit.js', AUDIT);
    module('logger.cjs', LOGGER);
    module('store.js', MAP_BACKEND_SOURCE);
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    writeFileSync(
      join(plugins, 'idp.json'),
      JSON.stringify({
        mode: 'development',
        issuer,
        port,
        scopes: TEST_SCOPES,
        resourceServers: TEST_APIS,
        clients: [web.metadata],
        plugins: {
          accounts: { path: './plugins/accounts.js', options: { directory: 'ldap://directory.test' } },
          logger: { path: './plugins/logger.cjs', options: { file: join(plugins, 'log.jsonl') } },
          store: { path: './plugins/store.js', options: { name: 'agency-map' } },
        },
        audit: { sink: { type: 'module', path: './plugins/audit.js', options: { file: join(plugins, 'audit.jsonl') } } },
      }),
    );

    const built = startBuilt(app, join(plugins, 'idp.json'));
    idp = built.child;
    output = built.output;
    const end = Date.now() + 60_000;
    while (Date.now() < end && idp.exitCode === null) {
      if (await fetch(`${issuer}/healthz`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.fail(`the built IdP did not come up: ${output().slice(-1500)}`);
  });

  after(async () => {
    await stop(idp);
    if (app) rmSync(app, { recursive: true, force: true });
    if (plugins) rmSync(plugins, { recursive: true, force: true });
  });

  it('a person in the agency\'s directory signs in through the account source module, kept by the store module; the audit sink module receives the events', async () => {
    const config = await oidc.discovery(new URL(issuer), 'web', { redirect_uris: [REDIRECT], response_types: ['code id_token'] }, oidc.ClientSecretPost(WEB_SECRET), { execute: [oidc.allowInsecureRequests] });
    oidc.useCodeIdTokenResponseType(config);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid profile', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, nonce });
    const arrival = await new Person(new URL(issuer).origin).signIn(url, { username: 'dana', password: PASSWORD });
    const tokens = await oidc.authorizationCodeGrant(config, callbackInput(arrival), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
    assert.equal(tokens.claims()?.sub, 'dir-dana');
    const info = await oidc.fetchUserInfo(config, tokens.access_token, 'dir-dana');
    assert.equal(info.name, 'Dana Directory', 'the claims come from the module\'s find()');

    const events = lines(join(plugins, 'audit.jsonl'));
    const names = events.map((e) => e.event);
    for (const name of ['idp.started', 'signin.succeeded', 'consent.decided', 'token.issued']) assert.ok(names.includes(name), `the sink received ${name}: ${names.join(', ')}`);
    assert.equal(events.find((e) => e.event === 'signin.succeeded')?.subject, 'dir-dana');
    assert.equal(events.find((e) => e.event === 'idp.started')?.store, 'agency-map', 'sessions, codes and tokens were kept by the store backend module');
    assert.doesNotMatch(readFileSync(join(plugins, 'audit.jsonl'), 'utf8'), new RegExp(PASSWORD), 'no password in the audit trail');
  });

  it('a wrong password is refused by the module and audited as a failure', async () => {
    const config = await oidc.discovery(new URL(issuer), 'web', { redirect_uris: [REDIRECT], response_types: ['code id_token'] }, oidc.ClientSecretPost(WEB_SECRET), { execute: [oidc.allowInsecureRequests] });
    oidc.useCodeIdTokenResponseType(config);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT, scope: 'openid', code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()), code_challenge_method: 'S256', state: oidc.randomState(), nonce: oidc.randomNonce() });
    const person = new Person(new URL(issuer).origin);
    await person.visit(url);
    assert.equal(await person.submit('/login', { username: 'dana', password: 'not-it' }), undefined);
    assert.ok(lines(join(plugins, 'audit.jsonl')).some((e) => e.event === 'signin.failed'));
  });

  it('the logger module gets the IdP\'s log lines, the account module\'s own line among them', () => {
    const logged = lines(join(plugins, 'log.jsonl'));
    const events = logged.map((l) => l.event);
    assert.ok(events.includes('listening'), `the stock entry point logs through it: ${events.join(', ')}`);
    assert.ok(events.includes('agency.accounts.ready'));
    assert.ok(events.includes('agency.store.ready'), 'the store module was given the IdP\'s logger');
    assert.doesNotMatch(readFileSync(join(plugins, 'log.jsonl'), 'utf8'), new RegExp(`${PASSWORD}|${WEB_SECRET}`));
  });

  it('an agency\'s TypeScript module compiles against the built declarations (and a wrong one does not)', async () => {
    // The package refers to itself by name (package.json `exports`), as an installed one would.
    writeFileSync(join(app, 'agency.ts'), AGENCY_TS);
    writeFileSync(join(app, 'wrong.ts'), WRONG_TS);
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const flags = ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node'];
    await run(process.execPath, [tsc, ...flags, 'agency.ts'], { cwd: app });
    const wrong = await run(process.execPath, [tsc, ...flags, 'wrong.ts'], { cwd: app }).then(() => '', (err: { stdout?: string }) => err.stdout ?? 'failed');
    assert.match(wrong, /wrong\.ts.*Type 'Promise<number>' is not assignable|wrong\.ts.*number/s);
  });
});
