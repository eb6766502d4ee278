// The record-backend contract (src/storage/backend.ts): what a place to keep records must
// do so that sealedStore() on top of it meets the store contract (store-contract.ts),
// TOK-1 and TOK-2. An agency's own backend runs it too:
//
//   backendContract('my backend', async () => ({ backend: await createMyBackend(), cleanup }));
//
// Keys, values and tags here are arbitrary strings, as opaque to the backend as the sealed
// store's keyed hashes and sealed values are.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RecordBackend } from '../../src/storage/backend.js';

export interface BackendUnderTest {
  backend: RecordBackend;
  cleanup?: () => Promise<void>;
}

export interface BackendContractOptions {
  /** node:test skip: false to run, or the reason the suite did not run */
  skip?: string | false;
}

const fresh = (label: string) => `${label}-${randomUUID()}`;
/** A model whose records belong to grants, and two that do not. */
const AT = 'AccessToken';
const RT = 'RefreshToken';
const SESSION = 'Session';

export function backendContract(name: string, make: () => Promise<BackendUnderTest>, options: BackendContractOptions = {}): void {
  void describe(`record backend contract: ${name}`, { skip: options.skip ?? false }, () => {
    let sut: BackendUnderTest;
    let b: RecordBackend;
    const value = async (model: string, key: string) => (await b.get(model, key))?.value;

    before(async () => {
      sut = await make();
      b = sut.backend;
    });
    after(async () => {
      await b?.close();
      await sut?.cleanup?.();
    });

    void it('put, get, replace and delete a record; absent keys are undefined; deleting nothing is fine', async () => {
      const key = fresh('key');
      assert.equal(await b.get(SESSION, key), undefined);
      assert.equal(await b.put(SESSION, key, 'v1', { ttlMs: 60_000 }), true);
      assert.equal(await value(SESSION, key), 'v1');
      assert.equal(await b.put(SESSION, key, 'v2', { ttlMs: 60_000 }), true);
      assert.equal(await value(SESSION, key), 'v2', 'a put replaces the value');
      assert.equal(await b.get(SESSION, fresh('other')), undefined);
      await b.delete(SESSION, key);
      assert.equal(await b.get(SESSION, key), undefined);
      await b.delete(SESSION, key);
      await b.delete(AT, fresh('never'), [fresh('alias')]);
    });

    void it('a record expires after ttlMs, its alias and its grant index entry with it; without ttlMs it stays', async () => {
      const [short, kept, tag, aliasKey] = [fresh('short'), fresh('kept'), fresh('tag'), fresh('alias')];
      await b.put(AT, short, 'short', { ttlMs: 400, grant: tag, aliases: [aliasKey] });
      await b.put(AT, kept, 'kept', { grant: tag });
      assert.equal(await value(AT, short), 'short');
      assert.equal((await b.getByAlias(AT, aliasKey))?.found.value, 'short');
      await sleep(900);
      assert.equal(await b.getByAlias(AT, aliasKey), undefined, 'its alias went with it (asked first, before any read of the record)');
      assert.equal(await b.get(AT, short), undefined, 'gone after its expiry');
      assert.equal(await value(AT, kept), 'kept', 'a record without expiry stays');
      await b.revoke(tag, [AT]);
      assert.equal(await b.get(AT, kept), undefined, 'the grant index still holds the live member');
    });

    void it('ifAbsent (replay detection): one write per live key, again after it expired; of 20 parallel writes exactly one wins', async () => {
      const key = fresh('jti');
      assert.equal(await b.put('ReplayDetection', key, 'first', { ttlMs: 400, ifAbsent: true }), true);
      assert.equal(await b.put('ReplayDetection', key, 'second', { ttlMs: 400, ifAbsent: true }), false);
      assert.equal(await value('ReplayDetection', key), 'first', 'the refused write changed nothing');
      await sleep(900);
      assert.equal(await b.put('ReplayDetection', key, 'third', { ttlMs: 60_000, ifAbsent: true }), true, 'an expired id may be written again');
      const racing = fresh('jti');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => b.put('ReplayDetection', racing, `v${i}`, { ttlMs: 60_000, ifAbsent: true })));
      assert.equal(results.filter(Boolean).length, 1);
    });

    void it('TOK-1: consume is compare-and-set: it writes only over the value read, and of 50 parallel consumes exactly one wins', async () => {
      const key = fresh('code');
      await b.put('AuthorizationCode', key, 'fresh', { ttlMs: 60_000, grant: fresh('tag') });
      const seen = await b.get('AuthorizationCode', key);
      assert.ok(seen);
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => b.consume('AuthorizationCode', key, seen, `used-${i}`)));
      assert.equal(results.filter(Boolean).length, 1, 'exactly one consume wins');
      const winner = results.indexOf(true);
      assert.equal(await value('AuthorizationCode', key), `used-${winner}`);
      assert.equal(await b.consume('AuthorizationCode', key, seen, 'again'), false, 'a stale read never wins');
      const gone = fresh('code');
      await b.put(RT, gone, 'rt', { ttlMs: 60_000 });
      const read = await b.get(RT, gone);
      assert.ok(read);
      await b.delete(RT, gone);
      assert.equal(await b.consume(RT, gone, read, 'used'), false, 'a record deleted since the read is not consumed');
      assert.equal(await b.get(RT, gone), undefined, 'and not brought back');
    });

    void it('TOK-1: consume keeps the expiry, the grant index and the aliases', async () => {
      const [key, tag, aliasKey] = [fresh('dc'), fresh('tag'), fresh('uc')];
      await b.put('DeviceCode', key, 'pending', { ttlMs: 500, grant: tag, aliases: [aliasKey] });
      const seen = await b.get('DeviceCode', key);
      assert.ok(seen);
      assert.equal(await b.consume('DeviceCode', key, seen, 'used'), true);
      assert.equal((await b.getByAlias('DeviceCode', aliasKey))?.found.value, 'used');
      await b.revoke(tag, ['DeviceCode']);
      assert.equal(await b.get('DeviceCode', key), undefined, 'still in its grant index after the consume');
      const timed = fresh('rt');
      await b.put(RT, timed, 'fresh', { ttlMs: 500 });
      const read = await b.get(RT, timed);
      assert.ok(read);
      assert.equal(await b.consume(RT, timed, read, 'used'), true);
      await sleep(1000);
      assert.equal(await b.get(RT, timed), undefined, 'the consumed record still expires');
    });

    void it('revoke(grant, models) removes those models\' records of that grant only, however many', async () => {
      const [g1, g2] = [fresh('tag'), fresh('tag')];
      const keys = Array.from({ length: 30 }, () => fresh('at'));
      for (const key of keys) await b.put(AT, key, 'at', { ttlMs: 60_000, grant: g1 });
      const [other, rt, code] = [fresh('at'), fresh('rt'), fresh('code')];
      await b.put(AT, other, 'other grant', { ttlMs: 60_000, grant: g2 });
      await b.put(RT, rt, 'rt', { grant: g1 });
      await b.put('AuthorizationCode', code, 'code', { ttlMs: 60_000, grant: g1 });
      await b.revoke(g1, [AT]);
      for (const key of keys) assert.equal(await b.get(AT, key), undefined);
      assert.equal(await value(AT, other), 'other grant', 'another grant untouched');
      assert.equal(await value(RT, rt), 'rt', 'another model untouched');
      await b.revoke(g1, [RT, 'AuthorizationCode']);
      assert.equal(await b.get(RT, rt), undefined);
      assert.equal(await b.get('AuthorizationCode', code), undefined);
      await b.revoke(fresh('tag'), [AT, RT]); // an unknown grant: nothing happens
      assert.equal(await value(AT, other), 'other grant');
      await b.put(AT, keys[0] ?? '', 'again', { ttlMs: 60_000, grant: g1 });
      await b.revoke(g1, [AT]);
      assert.equal(await b.get(AT, keys[0] ?? ''), undefined, 'a revoked grant\'s index takes new members afresh');
    });

    void it('a put moves a record between grants, or out of its grant; delete takes it out of its index', async () => {
      const [key, g1, g2] = [fresh('at'), fresh('tag'), fresh('tag')];
      await b.put(AT, key, 'in g1', { ttlMs: 60_000, grant: g1 });
      await b.put(AT, key, 'in g2', { ttlMs: 60_000, grant: g2 });
      await b.revoke(g1, [AT]);
      assert.equal(await value(AT, key), 'in g2', 'no longer a member of its old grant');
      await b.put(AT, key, 'no grant', { ttlMs: 60_000 });
      await b.revoke(g2, [AT]);
      assert.equal(await value(AT, key), 'no grant', 'no longer a member of any grant');
      await b.put(AT, key, 'in g1 again', { ttlMs: 60_000, grant: g1 });
      await b.delete(AT, key);
      await b.put(AT, key, 'outside', { ttlMs: 60_000 });
      await b.revoke(g1, [AT]);
      assert.equal(await value(AT, key), 'outside', 'a deleted member left its index');
    });

    void it('aliases find their record; an alias taken over by another record stays with it', async () => {
      const [s1, s2, uid] = [fresh('sid'), fresh('sid'), fresh('uid')];
      await b.put(SESSION, s1, 'first', { ttlMs: 60_000, aliases: [uid] });
      assert.deepEqual(await b.getByAlias(SESSION, uid), { key: s1, found: await b.get(SESSION, s1) });
      assert.equal(await b.getByAlias(SESSION, fresh('uid')), undefined);
      await b.put(SESSION, s2, 'second', { ttlMs: 60_000, aliases: [uid] });
      await b.delete(SESSION, s1, [uid]);
      assert.equal((await b.getByAlias(SESSION, uid))?.key, s2, 'deleting the old record did not unlink the new one');
      await b.delete(SESSION, s2, [uid]);
      assert.equal(await b.getByAlias(SESSION, uid), undefined, 'deleted with its record');
    });

    void it('ready, stats and, where offered, dump with nothing left behind by delete', async () => {
      assert.equal(await b.ready(), true);
      assert.equal(typeof b.kind, 'string');
      for (const [stat, count] of Object.entries(b.stats())) assert.equal(typeof count, 'number', stat);
      if (!b.dump) return;
      const before = new Set(await b.dump());
      const [key, tag, aliasKey] = [fresh('dc'), fresh('tag'), fresh('uc')];
      await b.put('DeviceCode', key, fresh('sealed'), { ttlMs: 60_000, grant: tag, aliases: [aliasKey] });
      assert.ok((await b.dump()).length > before.size);
      await b.delete('DeviceCode', key, [aliasKey]);
      assert.deepEqual((await b.dump()).filter((raw) => !before.has(raw)), [], 'nothing new remains after delete');
    });
  });
}
