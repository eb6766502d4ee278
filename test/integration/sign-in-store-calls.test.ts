// AUTH-1, #13.7: what a password sign-in asks of the store for the second-factor step. A
// sign-in whose level the password already reaches (the consent-on-file workload of the
// benchmark) never writes a step record, so it must not delete one either: one store
// operation (a Redis round trip) saved per sign-in. The backend is an agency's module
// (plugins.store) that counts its calls by model, so the test sees what reached the store.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spa } from '../helpers/clients.js';
import { PASSWORDS } from '../helpers/fixtures.js';
import { startIdp, type RunningIdp } from '../helpers/idp.js';
import { MAP_BACKEND_SOURCE } from '../helpers/map-backend.js';
import { Person } from '../helpers/person.js';
import { moduleDir } from '../helpers/plugins.js';
import { authorizationRequest, relyingParty } from '../helpers/rp.js';

/** The map backend, with each call counted as "<method> <model>" in a global this test reads. */
const COUNTING_BACKEND = `${MAP_BACKEND_SOURCE.replace('export function createRecordBackend(', 'function mapBackend(')}
export function createRecordBackend(options, context) {
  const backend = mapBackend(options, context);
  const calls = (globalThis.__storeCalls ??= []);
  for (const method of ['get', 'getByAlias', 'put', 'consume', 'delete']) {
    const call = backend[method].bind(backend);
    backend[method] = (model, ...rest) => { calls.push(method + ' ' + model); return call(model, ...rest); };
  }
  return backend;
}
`;

const calls = (): string[] => ((globalThis as { __storeCalls?: string[] }).__storeCalls ??= []);

describe('the second-factor step costs the store nothing when the password is enough (AUTH-1)', () => {
  let running: RunningIdp;

  before(async () => {
    const { dir, module } = moduleDir();
    const path = join(dir, module('counting-backend.js', COUNTING_BACKEND));
    running = await startIdp({ clients: [spa.metadata], plugins: { store: { path, options: { name: 'counting' } } } });
  });
  after(() => running?.close());

  /** One sign-in by the test relying party; approves consent when asked. */
  async function signIn(): Promise<void> {
    const rp = await relyingParty(running.url, spa);
    const person = new Person(running.url);
    await person.visit((await authorizationRequest(rp)).url);
    let arrival = await person.submit('/login', { username: 'alice', password: PASSWORDS.alice });
    if (!arrival && person.lastPage.includes('name="decision"')) arrival = await person.submit('/confirm', { decision: 'approve' });
    assert.ok(arrival, `back at the relying party (page: ${person.lastPage.slice(0, 200)})`);
    assert.equal(arrival.url.searchParams.get('error'), null);
  }

  it('a first sign-in (new consent) and one with consent on file: no SignInStep record written, read or deleted', async () => {
    await signIn();
    calls().length = 0;
    await signIn();
    const seen = calls();
    assert.ok(seen.some((c) => c.startsWith('put ')), `the counting backend saw the sign-in: ${seen.join(', ')}`);
    assert.deepEqual(seen.filter((c) => c.endsWith(' SignInStep')), [], 'no store call for a step that was never written');
  });
});
