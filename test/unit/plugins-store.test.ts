// plugins.store (#13 items 4 and 5): an agency's record backend named in the deployment
// file, wrapped with the deployment's sealing keys (TOK-2); each start-up error names its
// field; the backend contract runs against the module as loaded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { complianceReport } from '../../src/compliance/report.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { silentLogger, type Logger } from '../../src/ops/log.js';
import { loadPlugin } from '../../src/plugins/load.js';
import { cannotIssue } from '../../src/registration/token.js';
import { createStore } from '../../src/storage/index.js';
import { sealedStore } from '../../src/storage/sealed-store.js';
import { backendContract } from '../contract/backend-contract.js';
import { storeContract } from '../contract/store-contract.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';
import { MAP_BACKEND_SOURCE } from '../helpers/map-backend.js';
import { moduleDir } from '../helpers/plugins.js';
import { productionRaw, startupError, startupVerdict } from '../helpers/startup.js';

const { dir, module } = moduleDir();
const MAP = module('map-backend.js', MAP_BACKEND_SOURCE);

function deployment(store: { path: string; options?: Record<string, unknown> }, patch: Record<string, unknown> = {}) {
  return { ...configFrom(testRawConfig('http://127.0.0.1:3000', { plugins: { store }, ...patch })), baseDir: dir };
}

/** The backend as start-up loads it from the deployment file. */
function loadedBackend() {
  const config = deployment({ path: `./${MAP}`, options: { name: 'agency-map' } });
  return loadPlugin(config, 'store', { path: `./${MAP}`, options: { name: 'agency-map' } }, { logger: silentLogger, issuer: config.issuer, mode: config.mode });
}
backendContract('a module named by plugins.store', async () => ({ backend: await loadedBackend() }));
storeContract('sealedStore() on a module named by plugins.store', async (sealer) => ({ store: sealedStore(await loadedBackend(), sealer) }));

describe('plugins.store: the IdP seals what the agency\'s backend keeps', () => {
  it('TOK-2: createStore wraps the module\'s backend; it holds no id or payload in the clear, and names itself', async () => {
    const seen: string[] = [];
    const logger: Logger = { log: (_level, event) => void seen.push(event) };
    const store = await createStore(deployment({ path: MAP, options: { name: 'agency-sql' } }), logger);
    assert.equal(store.kind, 'agency-sql');
    assert.deepEqual(seen, ['agency.store.ready'], 'the module\'s context carries the IdP\'s logger');
    const codes = store.adapter('AuthorizationCode');
    await codes.upsert('code-value-123', { accountId: 'dana-account', grantId: 'grant-xyz', scope: 'openid' }, 60);
    assert.equal((await codes.find('code-value-123'))?.accountId, 'dana-account');
    const raw = (await store.dump?.())?.join('\n') ?? '';
    assert.ok(raw.length > 0);
    for (const secret of ['code-value-123', 'dana-account', 'grant-xyz']) assert.ok(!raw.includes(secret), `${secret} is not kept in the clear`);
    await codes.consume('code-value-123');
    assert.ok((await codes.find('code-value-123'))?.consumed, 'TOK-1: single use on top of the backend');
    await store.close();
  });

  it('the registration-token command may share a backend module (the agency says it is shared)', () => {
    const raw = { features: { registration: true } } as Record<string, unknown>;
    assert.equal(cannotIssue(deployment({ path: MAP }, raw))?.field, 'secrets', 'past the store check (only the ephemeral test secrets stop it)');
    assert.equal(cannotIssue({ ...configFrom(testRawConfig('http://127.0.0.1:3000', raw)), baseDir: dir })?.field, 'store');
  });
});

describe('plugins.store: start-up errors name the field', () => {
  it('a module without createRecordBackend', async () => {
    const path = module('no-factory.js', 'export function createStore() { return {}; }\n');
    const { field, text } = await startupError(() => createStore(deployment({ path })));
    assert.equal(field, 'plugins.store.path');
    assert.match(text, /does not export createRecordBackend\(options, context\) returning a RecordBackend/);
  });

  it('a backend missing a method (consume) is refused, listing what it must have', async () => {
    const path = module('no-consume.js', 'export function createRecordBackend() { return { kind: "half", get() {}, getByAlias() {}, put() {}, delete() {}, revoke() {}, ready() {}, close() {}, stats() {} }; }\n');
    const { field, text } = await startupError(() => createStore(deployment({ path })));
    assert.equal(field, 'plugins.store.path');
    assert.match(text, /returned object; it must be createRecordBackend\(options, context\) returning a RecordBackend \{ kind \(a string\), get, getByAlias, put, consume,/);
  });

  it('a backend without a kind (its name on /readyz and the metrics)', async () => {
    const path = module('no-kind.js', MAP_BACKEND_SOURCE.replace('kind: options.name,', ''));
    const { field } = await startupError(() => createStore(deployment({ path })));
    assert.equal(field, 'plugins.store.path');
  });

  it('a factory that fails (its database is unreachable) — awaited, its message kept, no stack', async () => {
    const path = module('unreachable.js', 'export async function createRecordBackend() { throw new Error("connect ECONNREFUSED 10.0.0.9:5432"); }\n');
    const { field, text } = await startupError(() => createStore(deployment({ path })));
    assert.equal(field, 'plugins.store.path');
    assert.match(text, /createRecordBackend\(\) in .*unreachable\.js failed: connect ECONNREFUSED/);
  });

  it('with store.type "redis": one store or the other', async () => {
    const verdict = await startupVerdict(testRawConfig('http://127.0.0.1:3000', { plugins: { store: { path: MAP } }, store: { type: 'redis', url: 'redis://127.0.0.1:6379' } }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['plugins.store']);
    assert.match(verdict.text, /replaces the store/);
  });

  it('with store.maxEntries, which bounds the memory store only', async () => {
    const verdict = await startupVerdict(testRawConfig('http://127.0.0.1:3000', { plugins: { store: { path: MAP } }, store: { type: 'memory', maxEntries: 10 } }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['store.maxEntries']);
  });

  it('OIDC-8: production without store.singleInstance (the ledger and the counts stay in the process)', async () => {
    const verdict = await startupVerdict(productionRaw({ plugins: { store: { path: MAP } }, store: { type: 'memory' } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['store.singleInstance', 'OIDC-8']]);
    assert.match(verdict.text, /consent ledger .* Redis store/);
  });

  it('production with store.singleInstance starts, and the compliance report says what was accepted', async () => {
    const raw = productionRaw({ plugins: { store: { path: MAP } } });
    assert.deepEqual((await startupVerdict(raw)).problems, []);
    const config = configFrom(raw);
    const note = complianceReport(config, checkDeployment(config)).notes.find((n) => n.startsWith('store.singleInstance:'));
    assert.match(note ?? '', /store backend module .*map-backend\.js.*cannot check that it is durable/);
  });
});
