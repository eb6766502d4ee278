// Modules named in the deployment file (src/plugins/): each way loading one can fail is a
// start-up error naming the field, and what a module provides is still held to our rules.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CibaDecisions } from '../../src/ciba/device.js';
import { configSchema } from '../../src/config/schema.js';
import { silentLogger } from '../../src/ops/log.js';
import { loadAccounts, loadCibaDevice, loadLogger } from '../../src/plugins/index.js';
import { importPlugin } from '../../src/plugins/load.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';
import { moduleDir } from '../helpers/plugins.js';
import { startupError } from '../helpers/startup.js';

// Plain .js modules, as an agency mounts them: the directory says they are ES modules.
const { dir, module } = moduleDir();

function deployment(plugins: Record<string, unknown>, patch: Record<string, unknown> = {}) {
  return { ...configFrom(testRawConfig('http://127.0.0.1:3000', { plugins, ...patch })), baseDir: dir };
}

const ACCOUNTS = 'export function createAccountStore(options) { return { async authenticate(u, p) { return u === options.user && p === "pw" ? "acct-1" : undefined; }, async find(id) { return id === "acct-1" ? { id, claims: { name: "One" } } : undefined; } }; }\n';

describe('plugins: loading a module named in the deployment file', () => {
  it('resolves a relative path against the deployment file\'s directory and passes the options', async () => {
    const path = module('accounts.js', ACCOUNTS);
    const store = await loadAccounts(deployment({ accounts: { path: `./${path}`, options: { user: 'dana' } } }), silentLogger);
    assert.equal(await store?.authenticate('dana', 'pw'), 'acct-1');
    assert.equal(await store?.authenticate('eve', 'pw'), undefined);
    assert.deepEqual(await store?.find('acct-1'), { id: 'acct-1', claims: { name: 'One' } });
  });

  it('takes a CommonJS module\'s module.exports too', async () => {
    const path = module('accounts.cjs', 'module.exports = { createAccountStore: () => ({ authenticate: async () => "cjs", find: async () => undefined }) };\n');
    const store = await loadAccounts(deployment({ accounts: { path } }), silentLogger);
    assert.equal(await store?.authenticate('x', 'y'), 'cjs');
  });

  it('no plugin named: nothing loaded', async () => {
    assert.equal(await loadAccounts(deployment({}), silentLogger), undefined);
    assert.equal(await loadLogger(deployment({}), silentLogger), undefined);
  });
});

describe('plugins: start-up errors name the field', () => {
  it('a path where there is no file', async () => {
    const { field, text } = await startupError(() => loadAccounts(deployment({ accounts: { path: './missing.js' } }), silentLogger));
    assert.equal(field, 'plugins.accounts.path');
    assert.match(text, /cannot load .*missing\.js: no such file/);
  });

  it('a module that does not parse', async () => {
    const path = module('broken.js', 'export function createAccountStore( {\n');
    const { field, text } = await startupError(() => loadAccounts(deployment({ accounts: { path } }), silentLogger));
    assert.equal(field, 'plugins.accounts.path');
    assert.match(text, /cannot load .*broken\.js: /);
  });

  it('a module without the kind\'s export says which function it must export', async () => {
    const path = module('no-export.js', 'export function createStore() {}\n');
    const { field, text } = await startupError(() => loadAccounts(deployment({ accounts: { path } }), silentLogger));
    assert.equal(field, 'plugins.accounts.path');
    assert.match(text, /does not export createAccountStore\(options, context\) returning \{ authenticate\(username, password\), find\(id\) \}/);
  });

  it('a function that returns the wrong shape', async () => {
    const path = module('wrong-shape.js', 'export function createAccountStore() { return { authenticate() {} }; }\n');
    const { field, text } = await startupError(() => loadAccounts(deployment({ accounts: { path } }), silentLogger));
    assert.equal(field, 'plugins.accounts.path');
    assert.match(text, /createAccountStore\(\) in .*wrong-shape\.js returned object; it must be createAccountStore/);
  });

  it('a function that throws: its message, not its stack', async () => {
    const path = module('throws.js', 'export async function createAccountStore() { throw new Error("directory unreachable"); }\n');
    const { field, text } = await startupError(() => loadAccounts(deployment({ accounts: { path } }), silentLogger));
    assert.equal(field, 'plugins.accounts.path');
    assert.match(text, /createAccountStore\(\) in .*throws\.js failed: directory unreachable/);
  });

  it('production refuses a module every user can write', async () => {
    const path = module('writable.js', ACCOUNTS);
    chmodSync(join(dir, path), 0o666);
    const production = { source: 'idp.json', baseDir: dir, mode: 'production' as const };
    const { field, text } = await startupError(() => importPlugin(production, 'accounts', { path, options: {} }));
    assert.equal(field, 'plugins.accounts.path');
    assert.match(text, /writable by every user.*chmod o-w/);
    chmodSync(join(dir, path), 0o644);
    assert.equal(typeof (await importPlugin(production, 'accounts', { path, options: {} })).create, 'function');
  });

  it('EP-9: a CIBA device while CIBA is off', async () => {
    const path = module('device-off.js', 'export function createAuthenticationDevice() { return { async notify() {} }; }\n');
    const { field, text } = await startupError(() => loadCibaDevice(deployment({ cibaDevice: { path } }), silentLogger));
    assert.equal(field, 'plugins.cibaDevice');
    assert.match(text, /features\.ciba is off.*\(EP-9\)/);
  });

  it('EP-9: a CIBA device made from the decisions; a wrong one is refused when it is made', async () => {
    const good = module('device.js', 'export function createAuthenticationDevice(decisions, options) { return { async notify(r) { globalThis.__deviceSaw = [options.tag, typeof decisions.approve, r.id]; } }; }\nexport const resolveLoginHint = (hint) => hint === "dana" ? "acct-dana" : 42;\n');
    const ciba = await loadCibaDevice(deployment({ cibaDevice: { path: good, options: { tag: 'push' } } }, { features: { ciba: true } }), silentLogger);
    const decisions = { approve: () => Promise.resolve('approved'), deny: () => Promise.resolve('denied'), describe: () => Promise.resolve(undefined) } as unknown as CibaDecisions;
    await ciba?.device?.(decisions).notify({ id: 'r1' } as never);
    assert.deepEqual((globalThis as { __deviceSaw?: unknown }).__deviceSaw, ['push', 'function', 'r1']);
    assert.equal(await ciba?.resolveLoginHint?.('dana'), 'acct-dana');
    assert.equal(await ciba?.resolveLoginHint?.('other'), undefined, 'a non-string answer is no account');

    const bad = module('device-async.js', 'export async function createAuthenticationDevice() { return { async notify() {} }; }\n');
    const later = await loadCibaDevice(deployment({ cibaDevice: { path: bad } }, { features: { ciba: true } }), silentLogger);
    const { field, text } = await startupError(() => Promise.resolve().then(() => later?.device?.(decisions)));
    assert.equal(field, 'plugins.cibaDevice.path');
    assert.match(text, /returned a promise/);
  });

  it('the audit sink module keeps its field, audit.sink.path', async () => {
    const { createAuditSink } = await import('../../src/ops/audit-sinks.js');
    const path = module('sink.js', 'export function createAuditSink() { return {}; }\n');
    const { field, text } = await startupError(() => createAuditSink(deployment({}, { audit: { sink: { type: 'module', path } } })));
    assert.equal(field, 'audit.sink.path');
    assert.match(text, /returned object; it must be createAuditSink\(options, context\) returning \{ write\(event\), close\?\(\) \}/);
  });

  it('the schema names a misspelt kind or a missing path', () => {
    const misspelt = configSchema.safeParse(testRawConfig('http://127.0.0.1:3000', { plugins: { account: { path: 'x.js' } } } as never));
    assert.ok(!misspelt.success);
    assert.ok(misspelt.error.issues.some((i) => i.path.join('.') === 'plugins' && /account/.test(JSON.stringify(i))));
    const pathless = configSchema.safeParse(testRawConfig('http://127.0.0.1:3000', { plugins: { logger: { options: {} } } } as never));
    assert.ok(!pathless.success);
    assert.ok(pathless.error.issues.some((i) => i.path.join('.') === 'plugins.logger.path'));
  });
});

describe('plugins: a logger module never sees a secret', () => {
  it('a pino-compatible logger gets one object per line, secret fields redacted at any depth', async () => {
    const path = module('pino-like.js', 'export function createLogger(options) { const lines = (globalThis.__pinoLines = []); const at = (level) => (o) => lines.push({ level, tag: options.tag, ...o }); return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }; }\n');
    const logger = await loadLogger(deployment({ logger: { path, options: { tag: 't' } } }), silentLogger);
    logger?.log('warn', 'token.odd', { clientId: 'web', password: 'hunter2', nested: { client_secret: 's3cret', deeper: { refresh_token: 'rt' } } });
    const lines = (globalThis as { __pinoLines?: unknown[] }).__pinoLines;
    assert.deepEqual(lines, [{ level: 'warn', tag: 't', event: 'token.odd', clientId: 'web', password: '[redacted]', nested: { client_secret: '[redacted]', deeper: { refresh_token: '[redacted]' } } }]);
  });

  it('a { log(level, event, fields) } logger likewise; a logger that throws does not fail the caller', async () => {
    const path = module('log-like.js', 'export function createLogger() { const lines = (globalThis.__logLines = []); return { log(level, event, fields) { if (event === "boom") throw new Error("disk full"); lines.push([level, event, fields]); } }; }\n');
    const logger = await loadLogger(deployment({ logger: { path } }), silentLogger);
    logger?.log('info', 'signin', { Authorization: 'Bearer abc', subject: 'acct-1' });
    assert.doesNotThrow(() => logger?.log('error', 'boom'));
    assert.deepEqual((globalThis as { __logLines?: unknown[] }).__logLines, [['info', 'signin', { Authorization: '[redacted]', subject: 'acct-1' }]]);
  });
});
