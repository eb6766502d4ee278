// Unit tests of the consent ledger and the grant decisions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConsentRecord } from '../../src/consent/ledger.js';
import { emptyAccess, heldConsents } from '../../src/consent/ledger.js';
import { createMemoryLedger } from '../../src/consent/memory-ledger.js';
import { approvedOf } from '../../src/consent/decision.js';
import { splitScopes } from '../../src/consent/scopes.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

function record(patch: Partial<ConsentRecord>): ConsentRecord {
  return {
    v: 1,
    id: Math.random().toString(36),
    time: new Date().toISOString(),
    decision: 'approve',
    accountId: 'a1',
    client: { id: 'c1', name: 'C1', classification: 'PUBLIC' },
    asked: emptyAccess(),
    granted: emptyAccess(),
    holds: { scopes: ['openid', 'profile'], claims: [], resources: {} },
    request: { via: 'authorization' },
    grantId: 'g1',
    expiresAt: '2099-01-01T00:00:00.000Z',
    correlationId: 'corr-1',
    consentText: 'v1',
    ...patch,
  };
}

describe('memory consent ledger (OIDC-8)', () => {
  it('keeps records append-only, in order, filtered by account, client and time', async () => {
    const ledger = createMemoryLedger({ retention: 3600, maxRecords: 10 });
    await ledger.append(record({ id: 'r1', time: '2030-01-01T00:00:00.000Z' }));
    await ledger.append(record({ id: 'r2', time: '2030-01-02T00:00:00.000Z', client: { id: 'c2', name: 'C2', classification: 'PUBLIC' } }));
    await ledger.append(record({ id: 'r3', time: '2030-01-03T00:00:00.000Z', accountId: 'a2' }));
    const ids = async (f = {}) => {
      const out: string[] = [];
      for await (const r of ledger.query(f)) out.push(r.id);
      return out;
    };
    assert.deepEqual(await ids(), ['r1', 'r2', 'r3']);
    assert.deepEqual(await ids({ accountId: 'a1' }), ['r1', 'r2']);
    assert.deepEqual(await ids({ clientId: 'c1' }), ['r1', 'r3']);
    assert.deepEqual(await ids({ since: Date.parse('2030-01-02'), until: Date.parse('2030-01-03') }), ['r2']);
    // What a reader gets is a copy: the kept record cannot be changed through it.
    for await (const r of ledger.query()) r.decision = 'deny';
    for await (const r of ledger.query()) assert.notEqual(r.decision, 'deny');
    await ledger.close();
  });

  it('OIDC-8: a full ledger refuses the write instead of dropping a record', async () => {
    const ledger = createMemoryLedger({ retention: 3600, maxRecords: 1 });
    await ledger.append(record({}));
    await assert.rejects(ledger.append(record({})), /full/);
    await ledger.close();
  });

  it('forgets records older than the retention time, and only those', async () => {
    const ledger = createMemoryLedger({ retention: 60, maxRecords: 2 });
    await ledger.append(record({ id: 'old', time: new Date(Date.now() - 120_000).toISOString() }));
    await ledger.append(record({ id: 'new' }));
    await ledger.append(record({ id: 'newer' })); // full → prune → the old one goes
    const ids: string[] = [];
    for await (const r of ledger.query()) ids.push(r.id);
    assert.deepEqual(ids, ['new', 'newer']);
    await ledger.close();
  });

  it('folds records into the consents held now: latest approval, minus withdrawals and expiry', async () => {
    const ledger = createMemoryLedger({ retention: 3600, maxRecords: 100 });
    await ledger.append(record({ time: '2030-01-01T00:00:00.000Z' }));
    await ledger.append(record({ time: '2030-01-02T00:00:00.000Z', decision: 'deny' }));
    await ledger.append(record({ time: '2030-01-03T00:00:00.000Z', holds: { scopes: ['openid', 'profile', 'email'], claims: [], resources: {} } }));
    await ledger.append(record({ client: { id: 'c2', name: 'C2', classification: 'PUBLIC' }, grantId: 'g2' }));
    await ledger.append(record({ client: { id: 'c2', name: 'C2', classification: 'PUBLIC' }, grantId: 'g2', decision: 'withdraw' }));
    await ledger.append(record({ client: { id: 'c3', name: 'C3', classification: 'PUBLIC' }, grantId: 'g3', expiresAt: '2000-01-01T00:00:00.000Z' }));
    const held = await heldConsents(ledger, 'a1', Date.parse('2030-02-01'));
    assert.equal(held.length, 1);
    assert.equal(held[0]?.clientId, 'c1');
    assert.equal(held[0]?.since, '2030-01-01T00:00:00.000Z', 'since the first approval of this grant');
    assert.deepEqual(held[0]?.holds.scopes, ['openid', 'profile', 'email']);
    await ledger.close();
  });
});

describe('granular consent (OIDC-7)', () => {
  const config = configFrom(testRawConfig('http://127.0.0.1:1'));
  it('required lines are always granted; optional ones only when ticked', () => {
    const asked = { scopes: ['openid', 'profile', 'email'], claims: ['name', 'email', 'email_verified'], resources: { 'https://api.test/clinic': ['clinic.read'] } };
    const none = approvedOf(config, asked, new Set());
    assert.deepEqual(none.scopes, ['openid', 'profile']);
    assert.deepEqual(none.claims, ['name']);
    assert.deepEqual(none.resources, { 'https://api.test/clinic': ['clinic.read'] });
    const all = approvedOf(config, asked, new Set(['oidc:email']));
    assert.deepEqual(all.scopes, ['openid', 'profile', 'email']);
    // A form cannot untick a required line by leaving it out, nor add one not asked.
    const forged = approvedOf(config, asked, new Set(['oidc:nhi']));
    assert.deepEqual(forged.scopes, ['openid', 'profile']);
  });

  it('OIDC-7: one split of a request (page and CIBA alike): identity scopes the deployment knows, API scopes per API, the rest to nobody', () => {
    const requested = ['openid', 'profile', 'clinic.read', 'public.read', 'made.up', 'constructor'];
    const split = splitScopes(config, requested, ['https://api.test/clinic', 'https://api.test/unknown']);
    assert.deepEqual(split.scopes, ['openid', 'profile'], 'an API scope or an unknown name is no identity scope');
    assert.deepEqual(split.claims, ['name', 'given_name', 'family_name', 'birthdate'], 'claims come with their scopes');
    assert.deepEqual(split.resources, { 'https://api.test/clinic': ['clinic.read'] }, 'only the named API\'s own scopes; another API\'s scope and an unknown API get nothing');
  });
});
