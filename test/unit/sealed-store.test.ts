// sealedStore() on a real memory backend, watched at the seam: what it asks of a backend
// (durable writes after single use, the aliases it hands to delete, no call for nothing),
// what it trusts of one (nothing: a stale alias finds nothing), and what it counts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { RecordBackend } from '../../src/storage/backend.js';
import { createMemoryBackend } from '../../src/storage/memory.js';
import { createSealer, type Sealer } from '../../src/storage/seal.js';
import { withRequestScope } from '../../src/storage/request-scope.js';
import { sealedStore } from '../../src/storage/sealed-store.js';

const newSealer = (): Sealer => createSealer([{ kid: 'k', key: randomBytes(32) }], randomBytes(32));

/** The memory backend with its calls recorded. */
function watched(base: RecordBackend = createMemoryBackend({ sweepIntervalMs: 60_000 })) {
  const calls: { method: string; args: unknown[] }[] = [];
  const backend: RecordBackend = {
    ...base,
    get: (...args) => (calls.push({ method: 'get', args }), base.get(...args)),
    getByAlias: (...args) => (calls.push({ method: 'getByAlias', args }), base.getByAlias(...args)),
    consume: (...args) => (calls.push({ method: 'consume', args }), base.consume(...args)),
    put: (...args) => (calls.push({ method: 'put', args }), base.put(...args)),
    delete: (...args) => (calls.push({ method: 'delete', args }), base.delete(...args)),
    revoke: (...args) => (calls.push({ method: 'revoke', args }), base.revoke(...args)),
    durable: () => (calls.push({ method: 'durable', args: [] }), Promise.resolve()),
  };
  const count = (method: string) => calls.filter((c) => c.method === method).length;
  return { backend, calls, count, reset: () => calls.splice(0) };
}

void describe('sealedStore() at the seam', () => {
  it('TOK-1, TOK-4: single-use writes and every won consume wait for durable(); other writes do not', async () => {
    const w = watched();
    const store = sealedStore(w.backend, newSealer());
    const durableAfter = async (op: () => Promise<unknown>) => {
      w.reset();
      await op();
      return w.count('durable');
    };
    assert.equal(await durableAfter(() => store.adapter('Session').upsert('s', { kind: 'Session' }, 60)), 0, 'a session is not single use');
    assert.equal(await durableAfter(() => store.adapter('AccessToken').upsert('a', { kind: 'AccessToken' }, 60)), 0);
    assert.equal(await durableAfter(() => store.adapter('AuthorizationCode').upsert('c', { kind: 'AuthorizationCode', grantId: 'g' }, 60)), 1, 'a new code');
    assert.equal(await durableAfter(() => store.adapter('RefreshToken').upsert('r', { kind: 'RefreshToken', grantId: 'g' }, 60)), 1, 'a rotated refresh token');
    assert.equal(await durableAfter(() => store.adapter('ReplayDetection').upsert('j', { kind: 'ReplayDetection' }, 60)), 1, 'a replay-detection id');
    assert.equal(await durableAfter(() => store.adapter('AuthorizationCode').consume('c')), 1, 'a used code');
    assert.equal(await durableAfter(() => store.adapter('PushedAuthorizationRequest').upsert('p', { kind: 'PushedAuthorizationRequest' }, 60)), 1);
    assert.equal(await durableAfter(() => store.adapter('PushedAuthorizationRequest').destroy('p')), 1, 'a used request URI stays gone');
    assert.equal(await durableAfter(() => store.adapter('Session').destroy('s')), 0);
    await assert.rejects(store.adapter('AuthorizationCode').consume('c'));
    // The other single-use records (used once, or proving something was used) are durable too.
    for (const model of ['DeviceCode', 'BackchannelAuthenticationRequest', 'InitialAccessToken']) {
      assert.equal(await durableAfter(() => store.adapter(model).upsert('x', { kind: model }, 60)), 1, model);
    }
    await store.close();
  });

  it('#13.7: inside one request each record is read from the backend once (finds, finds by uid, reads after its own write, a consume after a find); outside a request nothing is kept', async () => {
    const w = watched();
    const store = sealedStore(w.backend, newSealer());
    await store.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'a' }, 60);
    await store.adapter('AuthorizationCode').upsert('c1', { kind: 'AuthorizationCode', grantId: 'g1', clientId: 'x' }, 60);
    w.reset();
    await withRequestScope(async () => {
      const sessions = store.adapter('Session');
      assert.equal((await sessions.find('s1'))?.accountId, 'a');
      assert.equal((await sessions.find('s1'))?.accountId, 'a', 'read again: what the request opened');
      assert.equal((await sessions.findByUid('u1'))?.accountId, 'a', 'the alias is looked up once');
      assert.equal((await sessions.findByUid('u1'))?.accountId, 'a', 'then found through what the request opened');
      await sessions.upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'b' }, 60);
      assert.equal((await sessions.find('s1'))?.accountId, 'b', 'the request reads its own write');
      const codes = store.adapter('AuthorizationCode');
      assert.equal((await codes.find('c1'))?.clientId, 'x');
      await codes.consume('c1');
    });
    assert.deepEqual([w.count('get'), w.count('getByAlias'), w.count('consume')], [2, 1, 1], 'one read of the session and one of the code; the consume compares against the find');
    assert.equal(store.stats().reopened, 3, 'the second find, the second find by uid and the read after the write');
    assert.equal((await store.adapter('AuthorizationCode').find('c1'))?.consumed !== undefined, true, 'the code is used (TOK-1)');
    w.reset();
    await store.adapter('Session').find('s1');
    await store.adapter('Session').find('s1');
    assert.equal(w.count('get'), 2, 'outside a request every find reads the backend');
    await store.close();
  });

  it('#13.7: prefetch reads what a page will ask for at once; the finds that follow (an interaction by id, its session by uid) cost the backend nothing more', async () => {
    const w = watched();
    const store = sealedStore({ ...w.backend, getMany: (wanted) => Promise.all(wanted.map((x) => w.backend.get(x.model, x.key))) }, newSealer());
    assert.equal(typeof store.prefetch, 'function');
    await store.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'a' }, 60);
    await store.adapter('Interaction').upsert('i1', { kind: 'Interaction', session: { uid: 'u1' } }, 60);
    w.reset();
    await store.prefetch?.([{ model: 'Session', id: 's1' }]);
    assert.equal(w.calls.length, 0, 'outside a request a prefetch does nothing (nothing would keep it)');
    await withRequestScope(async () => {
      await store.prefetch?.([{ model: 'Interaction', id: 'i1' }, { model: 'Session', id: 's1' }, { model: 'Session', id: 'gone' }]);
      assert.equal(w.count('get'), 3, 'one read each, all at once');
      const interaction = await store.adapter('Interaction').find('i1');
      assert.deepEqual(interaction?.session, { uid: 'u1' });
      assert.equal((await store.adapter('Session').findByUid('u1'))?.accountId, 'a', 'the session found by id answers for its uid');
      assert.equal(await store.adapter('Session').find('gone'), undefined);
      assert.equal(await store.adapter('Session').findByUid('u2'), undefined, 'another uid is looked up');
    });
    assert.deepEqual([w.count('get'), w.count('getByAlias')], [4, 1], 'after the prefetch: only the absent record again and the other uid');
    // The memory backend (no getMany) has no round trips to save: no prefetch at all.
    const local = sealedStore(w.backend, newSealer());
    w.reset();
    await withRequestScope(() => local.prefetch?.([{ model: 'Session', id: 's1' }]));
    assert.equal(w.calls.length, 0);
    await store.close();
  });

  it('#13.7: prefetch uses a backend\'s getMany (one call) and keeps only what it found where the request has not already read or written', async () => {
    const w = watched();
    let many: string[][] = [];
    const backend: RecordBackend = { ...w.backend, getMany: (wanted) => ((many = [...many, wanted.map((x) => x.model)]), Promise.all(wanted.map((x) => w.backend.get(x.model, x.key)))) };
    const store = sealedStore(backend, newSealer());
    await store.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'a' }, 60);
    await store.adapter('Interaction').upsert('i1', { kind: 'Interaction' }, 60);
    w.reset();
    await withRequestScope(async () => {
      await store.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'written' }, 60);
      await store.prefetch?.([{ model: 'Interaction', id: 'i1' }, { model: 'Session', id: 's1' }]);
      assert.deepEqual(many, [['Interaction']], 'one call, without the record this request wrote');
      assert.equal((await store.adapter('Session').find('s1'))?.accountId, 'written', 'the request still reads its own write');
      assert.equal((await store.adapter('Interaction').find('i1'))?.kind, 'Interaction');
    });
    assert.equal(w.count('get'), 1, 'the getMany\'s one read, nothing else');
    await store.close();
  });

  it('#13.7: prefetch reads each record once, skips empty ids, makes no call when nothing is left to read, and works before the library used the model', async () => {
    const w = watched();
    const sealer = newSealer();
    const writer = sealedStore(w.backend, sealer);
    await writer.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'a' }, 60);
    let many: string[][] = [];
    // Another replica's store over the same records and keys: the library has not asked it for any model yet.
    const fresh = sealedStore({ ...w.backend, getMany: (wanted) => ((many = [...many, wanted.map((x) => x.model)]), Promise.all(wanted.map((x) => w.backend.get(x.model, x.key)))) }, sealer);
    w.reset();
    await withRequestScope(async () => {
      // An empty cookie value names nothing; a record named twice is read once.
      await fresh.prefetch?.([{ model: 'Interaction', id: '' }, { model: 'Session', id: 's1' }, { model: 'Session', id: 's1' }]);
      assert.deepEqual(many, [['Session']]);
      await fresh.prefetch?.([{ model: 'Session', id: 's1' }]);
      assert.deepEqual(many, [['Session']], 'already read in this request: no call at all');
      assert.equal((await fresh.adapter('Session').findByUid('u1'))?.accountId, 'a');
    });
    assert.deepEqual([w.count('get'), w.count('getByAlias')], [1, 0], 'the one read of the prefetch answered the find by uid');
    await writer.close();
    await fresh.close();
  });

  it('#13.7: a record the request writes while its prefetch is in flight wins over what the prefetch read', async () => {
    const w = watched();
    const backend: RecordBackend = {
      ...w.backend,
      async getMany(wanted) {
        const found = await Promise.all(wanted.map((x) => w.backend.get(x.model, x.key)));
        await store.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'meanwhile' }, 60);
        return found;
      },
    };
    const store = sealedStore(backend, newSealer());
    await store.adapter('Session').upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'before' }, 60);
    await withRequestScope(async () => {
      await store.prefetch?.([{ model: 'Session', id: 's1' }]);
      assert.equal((await store.adapter('Session').find('s1'))?.accountId, 'meanwhile');
    });
    await store.close();
  });

  it('TOK-1: a replay of a used record that has no grant is refused, revokes nothing and is not counted as a grant revocation', async () => {
    const w = watched();
    const store = sealedStore(w.backend, newSealer());
    for (const grantId of [undefined, '']) {
      await store.adapter('AuthorizationCode').upsert('c', { kind: 'AuthorizationCode', grantId }, 60);
      await store.adapter('AuthorizationCode').consume('c');
      w.reset();
      await assert.rejects(store.adapter('AuthorizationCode').consume('c'));
      assert.deepEqual([w.count('revoke'), w.count('delete')], [0, 0], String(grantId));
    }
    assert.equal(store.stats().replayRevokes, 0);
    await store.close();
  });

  it('destroy hands the backend the aliases the record was put with, read back from the sealed record', async () => {
    const sealer = newSealer();
    const w = watched();
    const store = sealedStore(w.backend, sealer);
    await store.adapter('Session').upsert('s', { kind: 'Session', uid: 'u-1' }, 60);
    await store.adapter('DeviceCode').upsert('d', { kind: 'DeviceCode', userCode: 'UC-1' }, 60);
    await store.adapter('Interaction').upsert('i', { kind: 'Interaction', uid: 'u-2' }, 60);
    w.reset();
    await store.adapter('Session').destroy('s');
    await store.adapter('DeviceCode').destroy('d');
    await store.adapter('Interaction').destroy('i');
    const deletes = w.calls.filter((c) => c.method === 'delete').map((c) => c.args);
    assert.deepEqual(deletes, [
      ['Session', sealer.lookup('Session', 's'), [sealer.lookup('Session#uid', 'u-1')]],
      ['DeviceCode', sealer.lookup('DeviceCode', 'd'), [sealer.lookup('DeviceCode#userCode', 'UC-1')]],
      ['Interaction', sealer.lookup('Interaction', 'i'), []],
    ]);
    assert.equal(w.count('get'), 2, 'only records with an alias are read before their delete');
    await store.adapter('Session').destroy('never-saved'); // nothing to read back: nothing to unlink
    await store.adapter('DeviceCode').destroy('never-saved');
    await store.close();
  });

  it('puts carry the grant tag, aliases and insert-only flag the model calls for, and nothing more', async () => {
    const sealer = newSealer();
    const w = watched();
    const store = sealedStore(w.backend, sealer);
    await store.adapter('AccessToken').upsert('a', { kind: 'AccessToken', grantId: 'g' }, 60);
    await store.adapter('Session').upsert('s', { kind: 'Session', uid: 'u', grantId: 'g' }, undefined);
    await store.adapter('Session').upsert('empty', { kind: 'Session', uid: '' }, 60);
    await store.adapter('ReplayDetection').upsert('j', { kind: 'ReplayDetection' }, 1.5);
    const puts = w.calls.filter((c) => c.method === 'put').map(({ args: [model, key, , options] }) => [model, key, options]);
    assert.deepEqual(puts, [
      ['AccessToken', sealer.lookup('AccessToken', 'a'), { ttlMs: 60_000, grant: sealer.lookup('#grant', 'g'), aliases: [], ifAbsent: false }],
      ['Session', sealer.lookup('Session', 's'), { ttlMs: undefined, grant: undefined, aliases: [sealer.lookup('Session#uid', 'u')], ifAbsent: false }],
      ['Session', sealer.lookup('Session', 'empty'), { ttlMs: 60_000, grant: undefined, aliases: [], ifAbsent: false }],
      ['ReplayDetection', sealer.lookup('ReplayDetection', 'j'), { ttlMs: 1500, grant: undefined, aliases: [], ifAbsent: true }],
    ]);
    await store.close();
  });

  it('a stale alias (one a backend kept after the record took another uid) finds nothing', async () => {
    const sealer = newSealer();
    const backend = createMemoryBackend({ sweepIntervalMs: 60_000 });
    const store = sealedStore(backend, sealer);
    await store.adapter('Session').upsert('s', { kind: 'Session', uid: 'new-uid' }, 60);
    // As a backend may leave it: the old uid's alias still names the record's key.
    const key = sealer.lookup('Session', 's');
    await backend.put('Session', key, sealer.seal({ kind: 'Session', uid: 'new-uid' }, `Session:${key}`), { ttlMs: 60_000, aliases: [sealer.lookup('Session#uid', 'old-uid'), sealer.lookup('Session#uid', 'new-uid')] });
    assert.equal(await store.adapter('Session').findByUid('old-uid'), undefined);
    assert.equal((await store.adapter('Session').findByUid('new-uid'))?.uid, 'new-uid');
    // and an alias looked up through the wrong finder finds nothing either
    await store.adapter('DeviceCode').upsert('d', { kind: 'DeviceCode', userCode: 'UC' }, 60);
    assert.equal(await store.adapter('DeviceCode').findByUid('UC'), undefined);
    assert.equal(await store.adapter('Session').findByUserCode('new-uid'), undefined);
    await store.close();
  });

  it('#13.7: a request hashes each storage key once; each request hashes its own (TOK-2 keys are still the keyed hashes)', async () => {
    const sealer = newSealer();
    const asked: string[] = [];
    const counting: Sealer = { ...sealer, lookup: (model, id) => (asked.push(`${model}/${id}`), sealer.lookup(model, id)) };
    const w = watched();
    const store = sealedStore(w.backend, counting);
    const session = store.adapter('Session');
    const request = () =>
      withRequestScope(async () => {
        await session.upsert('s1', { kind: 'Session', uid: 'u1' }, 60);
        await session.find('s1');
        await session.findByUid('u1');
        await session.upsert('s1', { kind: 'Session', uid: 'u1', accountId: 'a' }, 60);
        await session.find('s2');
      });
    await request();
    assert.deepEqual(asked.sort(), ['Session#uid/u1', 'Session/s1', 'Session/s2']);
    await request();
    assert.equal(asked.length, 6, 'a second request hashes again: nothing is kept between requests');
    // the keys the backend got are the sealer's keyed hashes
    assert.ok(w.calls.some((c) => c.method === 'put' && c.args[1] === sealer.lookup('Session', 's1')));
    // outside a request every call hashes
    asked.length = 0;
    await session.find('s1');
    await session.find('s1');
    assert.equal(asked.length, 2);
  });

  it('revokeByGrantId of a model outside grants costs the backend nothing', async () => {
    const w = watched();
    const store = sealedStore(w.backend, newSealer());
    await store.adapter('Session').revokeByGrantId('g');
    await store.adapter('Client').revokeByGrantId('g');
    assert.equal(w.count('revoke'), 0);
    await store.adapter('RefreshToken').revokeByGrantId('g');
    assert.equal(w.count('revoke'), 1);
    await store.close();
  });

  it('stats count operations, refused replays, lost consume races and replay revocations, beside the backend\'s own', async () => {
    const store = sealedStore(createMemoryBackend({ sweepIntervalMs: 60_000 }), newSealer());
    const a = (m: string) => store.adapter(m);
    await a('AuthorizationCode').upsert('c', { kind: 'AuthorizationCode', grantId: 'g' }, 60);
    await a('ReplayDetection').upsert('j', { kind: 'ReplayDetection' }, 60);
    await assert.rejects(a('ReplayDetection').upsert('j', { kind: 'ReplayDetection' }, 60));
    await a('AuthorizationCode').find('c');
    await a('Session').findByUid('nobody');
    await a('Session').findByUserCode('not a session alias');
    const raced = await Promise.allSettled([a('AuthorizationCode').consume('c'), a('AuthorizationCode').consume('c')]);
    assert.deepEqual(raced.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    await a('RefreshToken').upsert('r', { kind: 'RefreshToken', grantId: 'h' }, 60);
    await a('RefreshToken').consume('r');
    await assert.rejects(a('RefreshToken').consume('r'));
    await a('AccessToken').destroy('x');
    await a('AccessToken').revokeByGrantId('g');
    await a('Session').revokeByGrantId('g');
    const { upserts, finds, consumes, consumeConflicts, replayRevokes, destroys, revokes, replaysRefused, entries } = store.stats();
    assert.deepEqual(
      { upserts, finds, consumes, consumeConflicts, replayRevokes, destroys, revokes, replaysRefused },
      { upserts: 4, finds: 2, consumes: 4, consumeConflicts: 1, replayRevokes: 2, destroys: 1, revokes: 2, replaysRefused: 1 },
    );
    assert.equal(typeof entries, 'number', 'the backend\'s counts are there too');
    await store.close();
  });

  it('a backend without sweep, dump or notReadyReason gives a store without them', async () => {
    const bare: RecordBackend = { ...createMemoryBackend({ sweepIntervalMs: 60_000 }), sweep: undefined, dump: undefined, notReadyReason: undefined };
    const store = sealedStore(bare, newSealer());
    assert.equal('sweep' in store, false);
    assert.equal('dump' in store, false);
    assert.equal('notReadyReason' in store, false);
    assert.equal(store.kind, 'memory');
    const full = sealedStore(createMemoryBackend({ sweepIntervalMs: 60_000, maxEntries: 1 }), newSealer());
    await full.adapter('Session').upsert('s', { kind: 'Session' }, 60);
    assert.equal(full.sweep?.(), 0);
    assert.equal((await full.dump?.())?.length, 3);
    assert.match(full.notReadyReason?.() ?? '', /memory store full/);
    await store.close();
    await full.close();
  });
});
