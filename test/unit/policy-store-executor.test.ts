// OIDC-8 and where records live, at start-up (src/policy/executors/store.ts): a store
// backend module (plugins.store) is checked for what it cannot share, the memory store for
// being one process; production and development differ.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { store } from '../../src/policy/executors/store.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const base = configFrom(testRawConfig('http://localhost:3000'));
const withModule = (patch: Partial<Config>): Config => ({ ...base, ...patch, plugins: { ...base.plugins, store: { path: './backend.js', options: {} } } });
const fields = (config: Config) => (store.checkDeployment?.(config) ?? []).map((p) => `${p.field}${p.rule ? ` ${p.rule}` : ''}`);

describe('the store executor at start-up (executors/store.ts)', () => {
  it('OIDC-8: with a backend module in production, the consent ledger stays in the process unless store.singleInstance accepts it', () => {
    assert.deepEqual(fields(withModule({ mode: 'production', store: { ...base.store, type: 'memory', singleInstance: false } })), ['store.singleInstance OIDC-8']);
    assert.deepEqual(fields(withModule({ mode: 'production', store: { ...base.store, type: 'memory', singleInstance: true } })), []);
  });

  it('a backend module is checked as a module, not as the memory store: store.type redis beside it is refused, development passes', () => {
    assert.deepEqual(fields(withModule({ mode: 'production', store: { type: 'redis', keyPrefix: 'idp:' } })), ['plugins.store']);
    assert.deepEqual(fields(withModule({ mode: 'development' })), []);
  });

  it('without a module, production refuses the memory store without store.singleInstance; development does not', () => {
    assert.deepEqual(fields({ ...base, mode: 'production', store: { ...base.store, type: 'memory', singleInstance: false } }), ['store.type']);
    assert.deepEqual(fields({ ...base, mode: 'development', store: { ...base.store, type: 'memory', singleInstance: false } }), []);
  });
});
