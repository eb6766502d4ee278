// The embedded store over time, on a mocked clock: expiry at its exact boundary, the
// periodic sweep (which must never take a live record), the size limit, the grant index,
// and TOK-1's revocation of every grantable model when a used code or token is replayed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import type { AdapterPayload } from 'oidc-provider';
import { createMemoryStore, StoreFullError } from '../../src/storage/memory.js';
import { GRANTABLE } from '../../src/storage/records.js';
import { createSealer } from '../../src/storage/seal.js';
import type { Store } from '../../src/storage/store.js';

const T0 = 1_800_000_000_000;
const sealer = () => createSealer([{ kid: 'k', key: randomBytes(32) }], randomBytes(32));
const isInvalidGrant = (message: string) => (err: unknown) => (err as { error?: string }).error === 'invalid_grant' && (err as { error_detail?: string }).error_detail === message;

/** Every model the library revokes with a grant (lib/helpers/revoke.js and the models it lists). */
const GRANT_MODELS = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'];

describe('memory store over time (mocked clock)', () => {
  let store: Store;
  beforeEach(() => {
    mock.timers.enable({ apis: ['Date', 'setInterval'], now: T0 });
    store = createMemoryStore(sealer(), { sweepIntervalMs: 30_000, maxEntries: 10 });
  });
  afterEach(async () => {
    await store.close();
    mock.timers.reset();
  });
  const a = (model: string) => store.adapter(model);

  it('a record is found until its expiry and gone at that very millisecond', async () => {
    await a('AccessToken').upsert('at', { kind: 'AccessToken' }, 10);
    mock.timers.tick(9_999);
    assert.ok(await a('AccessToken').find('at'));
    mock.timers.tick(1);
    assert.equal(await a('AccessToken').find('at'), undefined);
    assert.equal(store.stats?.().entries, 0, 'reading an expired record removes it');
  });

  it('the sweep every 30 s drops expired records, their grant index and aliases, and keeps every live one', async () => {
    await a('AccessToken').upsert('short', { kind: 'AccessToken', grantId: 'g1' }, 10);
    await a('Session').upsert('s-short', { kind: 'Session', uid: 'u-short' }, 10);
    await a('AccessToken').upsert('long', { kind: 'AccessToken', grantId: 'g2' }, 3600);
    await a('Session').upsert('s-long', { kind: 'Session', uid: 'u-long' }, 3600);
    await a('Grant').upsert('g2', { kind: 'Grant' }, undefined);
    const counts = () => {
      const { entries, grantIndexes, aliases } = store.stats?.() ?? {};
      return { entries, grantIndexes, aliases };
    };
    assert.deepEqual(counts(), { entries: 5, grantIndexes: 2, aliases: 2 });
    mock.timers.tick(29_999);
    assert.deepEqual(counts(), { entries: 5, grantIndexes: 2, aliases: 2 }, 'nothing swept before the interval');
    mock.timers.tick(1);
    assert.deepEqual(counts(), { entries: 3, grantIndexes: 1, aliases: 1 }, 'expired ones swept without being read');
    assert.ok(await a('AccessToken').find('long'));
    assert.ok(await a('Session').findByUid('u-long'));
    assert.ok(await a('Grant').find('g2'), 'a record without expiry stays');
    mock.timers.tick(30_000 * 10);
    assert.ok(await a('Grant').find('g2'));
    await a('AccessToken').revokeByGrantId('g2');
    assert.equal(await a('AccessToken').find('long'), undefined, 'the grant index of a kept record still works');
  });

  it('sweep() reports how many records it removed', async () => {
    await a('AccessToken').upsert('x', { kind: 'AccessToken' }, 1);
    await a('AccessToken').upsert('y', { kind: 'AccessToken' }, 1);
    await a('AccessToken').upsert('z', { kind: 'AccessToken' }, 60);
    mock.timers.tick(1000);
    assert.equal(store.sweep?.(), 2);
    assert.equal(store.sweep?.(), 0);
  });

  it('a full store refuses a new record loudly, never dropping a live one; expired records make room; rewriting an existing record is fine', async () => {
    const ids = ['1', '2', '3', '4', '5', '6', '7', '8', '9'];
    for (const id of ids) await a('Session').upsert(id, { kind: 'Session' }, 3600);
    await a('Session').upsert('10', { kind: 'Session' }, 10);
    // 503 temporarily_unavailable (a readable page for people; /readyz says why)
    await assert.rejects(a('Session').upsert('11', { kind: 'Session' }, 60), (err: unknown) => err instanceof StoreFullError && err.status === 503 && err.error === 'temporarily_unavailable');
    await a('Session').upsert('1', { kind: 'Session', again: true }, 3600);
    assert.equal((await a('Session').find('1'))?.again, true);
    for (const id of [...ids, '10']) assert.ok(await a('Session').find(id), `live record ${id} kept`);
    mock.timers.tick(10_000);
    await a('Session').upsert('11', { kind: 'Session' }, 60);
    assert.ok(await a('Session').find('11'));
    assert.equal(store.stats?.().entries, 10);
  });

  it('a replay-detection id is written once while it lives, and may be written again after it expired', async () => {
    await a('ReplayDetection').upsert('jti-1', { kind: 'ReplayDetection' }, 10);
    await assert.rejects(a('ReplayDetection').upsert('jti-1', { kind: 'ReplayDetection' }, 10), (err: unknown) => (err as { error?: string }).error === 'invalid_request' && /replay detected/.test((err as { error_description: string }).error_description));
    mock.timers.tick(10_000);
    await a('ReplayDetection').upsert('jti-1', { kind: 'ReplayDetection' }, 10);
    // other models are overwritten freely
    await a('Session').upsert('s', { kind: 'Session' }, 10);
    await a('Session').upsert('s', { kind: 'Session' }, 10);
  });

  it('TOK-1: a replayed authorization code revokes every grantable model of its grant (CIBA requests and pre-authorized codes included) and the grant', async () => {
    assert.deepEqual([...GRANTABLE].sort(), [...GRANT_MODELS].sort());
    for (const model of GRANT_MODELS) await a(model).upsert(`${model}-g`, { kind: model, grantId: 'g' }, 60);
    await a('Grant').upsert('g', { kind: 'Grant' }, 60);
    await a('AccessToken').upsert('other-grant', { kind: 'AccessToken', grantId: 'h' }, 60);
    await a('Interaction').upsert('not-grantable', { kind: 'Interaction', grantId: 'g' }, 60);
    await a('AuthorizationCode').consume('AuthorizationCode-g');
    await assert.rejects(a('AuthorizationCode').consume('AuthorizationCode-g'), isInvalidGrant('grant already used'));
    for (const model of GRANT_MODELS) assert.equal(await a(model).find(`${model}-g`), undefined, `${model} of the grant revoked`);
    assert.equal(await a('Grant').find('g'), undefined, 'the grant itself revoked');
    assert.ok(await a('AccessToken').find('other-grant'), 'another grant untouched');
    assert.ok(await a('Interaction').find('not-grantable'), 'a model outside the grant untouched');
  });

  it('TOK-1: revokeByGrantId works for every grantable model, including CIBA requests and pre-authorized codes', async () => {
    for (const model of GRANT_MODELS) {
      await a(model).upsert('r', { kind: model, grantId: 'g' }, 60);
      await a(model).revokeByGrantId('g');
      assert.equal(await a(model).find('r'), undefined, model);
    }
    await a('Session').upsert('s', { kind: 'Session', grantId: 'g' }, 60);
    await a('Session').revokeByGrantId('g');
    assert.ok(await a('Session').find('s'), 'a Session is not a member of a grant');
  });

  it('TOK-1: a replayed refresh token says so and revokes its grant', async () => {
    await a('RefreshToken').upsert('rt', { kind: 'RefreshToken', grantId: 'g' }, 60);
    await a('AccessToken').upsert('at', { kind: 'AccessToken', grantId: 'g' }, 60);
    await a('RefreshToken').consume('rt');
    await assert.rejects(a('RefreshToken').consume('rt'), isInvalidGrant('refresh token already used'));
    assert.equal(await a('AccessToken').find('at'), undefined);
  });

  it('TOK-1: a replay of a used record without a grant is refused and revokes nothing', async () => {
    await a('AuthorizationCode').upsert('c', { kind: 'AuthorizationCode' }, 60);
    await a('AccessToken').upsert('at', { kind: 'AccessToken', grantId: '' }, 60);
    await a('AuthorizationCode').consume('c');
    await assert.rejects(a('AuthorizationCode').consume('c'), isInvalidGrant('grant already used'));
    assert.ok(await a('AccessToken').find('at'));
  });

  it('TOK-1: a used code keeps the second it was used; a used CIBA request keeps who approved it and its error, not the rest', async () => {
    mock.timers.tick(1_500);
    const ciba: AdapterPayload = { kind: 'BackchannelAuthenticationRequest', jti: 'b', clientId: 'c', grantId: 'g', accountId: 'acct', error: 'access_denied', scope: 'openid nhi', claims: { x: 1 } as never, nonce: 'n', iat: 1, exp: 2 };
    await a('BackchannelAuthenticationRequest').upsert('b', ciba, 60);
    await a('BackchannelAuthenticationRequest').consume('b');
    assert.deepEqual(await a('BackchannelAuthenticationRequest').find('b'), {
      kind: 'BackchannelAuthenticationRequest',
      jti: 'b',
      clientId: 'c',
      grantId: 'g',
      accountId: 'acct',
      error: 'access_denied',
      iat: 1,
      exp: 2,
      consumed: Math.floor((T0 + 1_500) / 1000),
    });
    // a model without a list keeps all of its record
    await a('RefreshToken').upsert('rt', { kind: 'RefreshToken', grantId: 'g', scope: 'openid' }, 60);
    await a('RefreshToken').consume('rt');
    assert.deepEqual(await a('RefreshToken').find('rt'), { kind: 'RefreshToken', grantId: 'g', scope: 'openid', consumed: Math.floor((T0 + 1_500) / 1000) });
  });

  it('the grant index goes with its last member; a grant with members left still revokes them', async () => {
    await a('AccessToken').upsert('a1', { kind: 'AccessToken', grantId: 'g' }, 60);
    await a('AccessToken').upsert('a2', { kind: 'AccessToken', grantId: 'g' }, 60);
    await a('AccessToken').destroy('a1');
    assert.equal(store.stats?.().grantIndexes, 1);
    await a('AccessToken').destroy('a2');
    assert.equal(store.stats?.().grantIndexes, 0, 'no empty index left behind');
    await a('AccessToken').upsert('a3', { kind: 'AccessToken', grantId: 'g' }, 60);
    await a('AccessToken').upsert('a4', { kind: 'AccessToken', grantId: 'g' }, 60);
    await a('AccessToken').destroy('a3');
    await a('AccessToken').revokeByGrantId('g');
    assert.equal(await a('AccessToken').find('a4'), undefined);
    assert.equal(store.stats?.().grantIndexes, 0);
  });

  it('destroying a session does not unlink the uid from another session that took it over', async () => {
    await a('Session').upsert('old', { kind: 'Session', uid: 'u' }, 60);
    await a('Session').upsert('new', { kind: 'Session', uid: 'u' }, 60);
    await a('Session').destroy('old');
    assert.equal((await a('Session').findByUid('u'))?.kind, 'Session');
    // and in the other order: the newer one goes first, then the older one, and nothing fails
    await a('Session').upsert('third', { kind: 'Session', uid: 'v' }, 60);
    await a('Session').upsert('fourth', { kind: 'Session', uid: 'v' }, 60);
    await a('Session').destroy('fourth');
    await a('Session').destroy('third');
    assert.equal(await a('Session').findByUid('v'), undefined);
    await a('DeviceCode').upsert('d1', { kind: 'DeviceCode', userCode: 'UC' }, 60);
    await a('DeviceCode').upsert('d2', { kind: 'DeviceCode', userCode: 'UC', marker: 2 }, 60);
    await a('DeviceCode').destroy('d1');
    assert.equal((await a('DeviceCode').findByUserCode('UC'))?.marker, 2);
  });

  it('a write reclaims records that have expired from the head of the expiry queue, and never a live one', async () => {
    await a('AccessToken').upsert('expiring', { kind: 'AccessToken' }, 1);
    await a('AccessToken').upsert('live', { kind: 'AccessToken' }, 60);
    mock.timers.tick(1_000);
    await a('AccessToken').upsert('another', { kind: 'AccessToken' }, 60);
    assert.equal(store.stats?.().entries, 2, 'the expired record went with the write; the live ones stay');
    assert.ok(await a('AccessToken').find('live'));
  });

  it('/readyz: the memory store is always ready and says it is the memory store', async () => {
    assert.equal(await store.ready(), true);
    assert.equal(store.kind, 'memory');
    assert.equal(store.notReadyReason?.(), undefined, 'no reason given while it is not full');
  });

  it('a record rewritten with a later expiry outlives its first expiry (a stale queue item never removes a live record)', async () => {
    await a('Session').upsert('s', { kind: 'Session' }, 10);
    await a('Session').upsert('s', { kind: 'Session', again: true }, 60);
    mock.timers.tick(10_000);
    assert.equal(store.sweep?.(), 0);
    assert.equal((await a('Session').find('s'))?.again, true);
  });

  it('after the expiry queue is rebuilt, records without expiry stay and expired ones are still reclaimed', async () => {
    const big = createMemoryStore(sealer(), { sweepIntervalMs: 30_000 });
    try {
      const s = (model: string) => big.adapter(model);
      // Records without expiry written before and after the expiring one: none of them may
      // stand in the rebuilt queue's way.
      await s('Grant').upsert('forever', { kind: 'Grant' }, undefined);
      await s('AccessToken').upsert('short', { kind: 'AccessToken' }, 5);
      await s('Grant').upsert('forever too', { kind: 'Grant' }, undefined);
      // 10,050 rewrites of one session leave > 2 × entries + 10,000 stale items: a rebuild.
      for (let i = 0; i < 10_050; i++) await s('Session').upsert('busy', { kind: 'Session' }, 3600 + i);
      assert.ok((big.stats().expiryQueue ?? 0) < 10_000, `rebuilt (${big.stats().expiryQueue} items)`);
      mock.timers.tick(5_000);
      assert.equal(big.sweep?.(), 1, 'the expired token is still in the rebuilt queue');
      assert.equal(big.stats().entries, 3);
      assert.ok(await s('Grant').find('forever'));
      assert.ok(await s('Grant').find('forever too'));
      assert.ok(await s('Session').find('busy'));
    } finally {
      await big.close();
    }
  });

  it('dump() returns every key and value held: records, their grant index, aliases (what the TOK-2 contract test inspects)', async () => {
    const own = sealer();
    const s2 = createMemoryStore(own, { sweepIntervalMs: 30_000 });
    try {
      await s2.adapter('Interaction').upsert('i', { kind: 'Interaction' }, 60);
      const plain = await s2.dump?.();
      assert.equal(plain?.length, 3);
      assert.equal(plain?.[0], own.lookup('Interaction', 'i'));
      assert.match(plain?.[1] ?? '', /^v1\./);
      assert.equal(plain?.[2], '', 'no grant index');
      await s2.adapter('AccessToken').upsert('at', { kind: 'AccessToken', grantId: 'g' }, 60);
      await s2.adapter('Session').upsert('s', { kind: 'Session', uid: 'u' }, 60);
      const all = (await s2.dump?.()) ?? [];
      const [atKey, sKey] = [own.lookup('AccessToken', 'at'), own.lookup('Session', 's')];
      // one tag per grant (shared by every model, as in Redis), one index per grant and model
      const [grantIndex, alias] = [`${own.lookup('#grant', 'g')}:AccessToken`, own.lookup('Session#uid', 'u')];
      assert.deepEqual(
        all.map((v) => (v.startsWith('v1.') ? 'sealed' : v)),
        [plain?.[0], 'sealed', '', atKey, 'sealed', grantIndex, sKey, 'sealed', '', alias, grantIndex, atKey, alias, sKey],
      );
    } finally {
      await s2.close();
    }
  });

  it('TOK-1: a used authorization code keeps exactly what the library reads before it sees `consumed`', async () => {
    const code: AdapterPayload = {
      kind: 'AuthorizationCode', jti: 'c', clientId: 'client', grantId: 'g', iat: 1, exp: 2, codeChallenge: 'x', codeChallengeMethod: 'S256', redirectUri: 'https://rp/cb',
      accountId: 'patient', scope: 'openid nhi', nonce: 'n', claims: { id_token: {} }, sessionUid: 'su', acr: 'a', authTime: 1,
    };
    await a('AuthorizationCode').upsert('c', code, 60);
    await a('AuthorizationCode').consume('c');
    assert.deepEqual(await a('AuthorizationCode').find('c'), {
      kind: 'AuthorizationCode', jti: 'c', clientId: 'client', grantId: 'g', iat: 1, exp: 2, codeChallenge: 'x', codeChallengeMethod: 'S256', redirectUri: 'https://rp/cb',
      consumed: Math.floor(T0 / 1000),
    });
  });

  it('after close the sweep no longer runs', async () => {
    await a('AccessToken').upsert('x', { kind: 'AccessToken' }, 1);
    await store.close();
    mock.timers.tick(60_000);
    assert.equal(store.stats?.().entries, 1);
  });
});
