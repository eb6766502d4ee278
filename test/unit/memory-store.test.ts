// The store contract and the record-backend contract on the embedded memory store, and
// what only it has: its bound.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryBackend, createMemoryStore } from '../../src/storage/memory.js';
import { createSealer } from '../../src/storage/seal.js';
import { StoreUnavailableError } from '../../src/storage/store.js';
import { backendContract } from '../contract/backend-contract.js';
import { storeContract } from '../contract/store-contract.js';

storeContract('memory', (sealer) => Promise.resolve({ store: createMemoryStore(sealer, { sweepIntervalMs: 60_000 }) }));
backendContract('memory', () => Promise.resolve({ backend: createMemoryBackend({ sweepIntervalMs: 60_000 }) }));

void describe('the memory store at store.maxEntries (issue 12)', () => {
  const sealer = () => createSealer([{ kid: 'k1', key: randomBytes(32) }], randomBytes(32));

  it('refuses a new record with 503 temporarily_unavailable, says why, and takes writes again once records expire', async () => {
    const store = createMemoryStore(sealer(), { maxEntries: 3, sweepIntervalMs: 60_000 });
    const tokens = store.adapter('AccessToken');
    await tokens.upsert('short', { kind: 'AccessToken' }, 1);
    await tokens.upsert('long-1', { kind: 'AccessToken' }, 60);
    await tokens.upsert('long-2', { kind: 'AccessToken' }, undefined);
    await assert.rejects(tokens.upsert('refused', { kind: 'AccessToken' }, 60), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.equal(err.status, 503);
      assert.equal(err.error, 'temporarily_unavailable');
      // Operators read the reason in the logs: which limit, and that it is the memory store.
      assert.equal(err.name, 'StoreFullError');
      assert.equal((err as StoreUnavailableError & { error_detail?: string }).error_detail, 'memory store full (3 live records, store.maxEntries)');
      return true;
    });
    assert.equal(await store.ready(), false, '/readyz is 503 while full');
    assert.match(store.notReadyReason?.() ?? '', /memory store full: 3 live records of store\.maxEntries 3/);
    // Rewriting a record the store already holds is not a new record: accepted.
    await tokens.upsert('long-1', { kind: 'AccessToken', scope: 'openid' }, 60);
    assert.equal((await tokens.find('long-1'))?.scope, 'openid');

    await sleep(1100);
    // The expired record is reclaimed by the write that needs the room, without a sweep.
    await tokens.upsert('accepted', { kind: 'AccessToken' }, 60);
    assert.equal(await tokens.find('short'), undefined);
    assert.ok(await tokens.find('accepted'));
    assert.equal(store.stats().entries, 3);
    assert.equal(store.stats().refusedFull, 1);
    await store.close();
  });

  it('expired records are reclaimed as writes go on, and rewrites do not grow the expiry queue without bound', async () => {
    const store = createMemoryStore(sealer(), { maxEntries: 100_000, sweepIntervalMs: 60_000 });
    const sessions = store.adapter('Session');
    for (let i = 0; i < 50; i++) await sessions.upsert(`gone-${i}`, { kind: 'Session' }, 0.001);
    await sleep(20);
    for (let i = 0; i < 20; i++) await sessions.upsert(`new-${i}`, { kind: 'Session' }, 60);
    assert.ok((store.stats().entries ?? 0) < 70, `writes reclaim expired records as they go (${store.stats().entries} entries)`);
    assert.equal(store.sweep?.(), (store.stats().entries ?? 0) - 20, 'the sweep reclaims the rest');
    assert.equal(store.stats().entries, 20);

    // One session saved over and over (each save a new expiry): the queue is rebuilt.
    for (let i = 0; i < 30_000; i++) await sessions.upsert('busy', { kind: 'Session', n: i }, 3600);
    assert.ok((store.stats().expiryQueue ?? 0) <= 2 * 21 + 10_000 + 1, `expiry queue bounded (${store.stats().expiryQueue})`);
    await store.close();
  });
});
