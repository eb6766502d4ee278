// The store contract: what every store (memory, Redis standalone, Redis Cluster) must do
// for oidc-provider, TOK-1 and TOK-2. Run it with storeContract(name, make).
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { withRequestScope } from '../../src/storage/request-scope.js';
import { createSealer, type Sealer } from '../../src/storage/seal.js';
import type { Store } from '../../src/storage/store.js';

export interface StoreUnderTest {
  store: Store;
  cleanup?: () => Promise<void>;
}

/** Builds a fresh, empty store that seals with `sealer`. */
export type StoreFactory = (sealer: Sealer) => Promise<StoreUnderTest>;

export interface ContractOptions {
  /** node:test skip: false to run, or the reason the suite did not run */
  skip?: string | false;
}

/** A sealer whose keys can be rotated under a running store (prepend a new key). */
export function rotatingSealer(): { sealer: Sealer; rotate(): void; oldKid: string; newKid: string } {
  const lookupKey = randomBytes(32);
  const oldKey = { kid: 'k-old', key: randomBytes(32) };
  const newKey = { kid: 'k-new', key: randomBytes(32) };
  let current = createSealer([oldKey], lookupKey);
  return {
    sealer: {
      lookup: (model, id) => current.lookup(model, id),
      seal: (payload, aad) => current.seal(payload, aad),
      open: (sealed, aad) => current.open(sealed, aad),
    },
    rotate() {
      current = createSealer([newKey, oldKey], lookupKey);
    },
    oldKid: oldKey.kid,
    newKid: newKey.kid,
  };
}

/** Values that must never appear in what a store holds (TOK-2). */
const secrets = new Set<string>();
function secret(label: string): string {
  const value = `${label}-${randomUUID()}`;
  secrets.add(value);
  return value;
}

const now = () => Math.floor(Date.now() / 1000);

function code(grantId: string, extra: Partial<AdapterPayload> = {}): AdapterPayload {
  return {
    kind: 'AuthorizationCode',
    iat: now(),
    exp: now() + 60,
    clientId: 'client-a',
    grantId,
    accountId: secret('account'),
    scope: 'openid profile nhi',
    claims: { userinfo: { email: null } },
    nonce: secret('nonce'),
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    redirectUri: 'https://rp.example.org/cb',
    authTime: now(),
    acr: 'urn:mace:incommon:iap:silver',
    sessionUid: secret('sessionUid'),
    ...extra,
  };
}

const isInvalidGrant = (err: unknown) => err instanceof Error && (err as Error & { error?: string }).error === 'invalid_grant';

export function storeContract(name: string, make: StoreFactory, options: ContractOptions = {}): void {
  void describe(`store contract: ${name}`, { skip: options.skip ?? false }, () => {
    let sut: StoreUnderTest;
    let store: Store;
    const adapters = new Map<string, Adapter>();
    const a = (model: string): Adapter => {
      let adapter = adapters.get(model);
      if (!adapter) {
        adapter = store.adapter(model);
        adapters.set(model, adapter);
      }
      return adapter;
    };

    before(async () => {
      sut = await make(rotatingSealer().sealer);
      store = sut.store;
    });
    after(async () => {
      await store?.close();
      await sut?.cleanup?.();
    });

    void it('upsert, find and destroy a record', async () => {
      const id = secret('at');
      const payload = { kind: 'AccessToken', clientId: 'client-a', accountId: secret('acct'), scope: 'openid', iat: now(), exp: now() + 60 };
      assert.equal(await a('AccessToken').find(id), undefined);
      await a('AccessToken').upsert(id, payload, 60);
      assert.deepEqual(await a('AccessToken').find(id), payload);
      // the same id in another model is another record
      assert.equal(await a('RefreshToken').find(id), undefined);
      await a('AccessToken').destroy(id);
      assert.equal(await a('AccessToken').find(id), undefined);
      await a('AccessToken').destroy(id); // destroying nothing is fine
    });

    void it('upsert replaces the whole record', async () => {
      const id = secret('session');
      await a('Interaction').upsert(id, { kind: 'Interaction', params: { a: 1 }, old: true }, 60);
      await a('Interaction').upsert(id, { kind: 'Interaction', params: { b: 2 } }, 60);
      assert.deepEqual(await a('Interaction').find(id), { kind: 'Interaction', params: { b: 2 } });
    });

    void it('expiry is honoured for records, grant members and secondary indexes', async () => {
      const grantId = secret('grant');
      const at = secret('at');
      const sid = secret('sid');
      const uid = secret('uid');
      const dc = secret('dc');
      const userCode = secret('UC');
      await a('AccessToken').upsert(at, { kind: 'AccessToken', grantId }, 1);
      await a('Session').upsert(sid, { kind: 'Session', uid }, 1);
      await a('DeviceCode').upsert(dc, { kind: 'DeviceCode', userCode }, 1);
      await a('Client').upsert('client-expiring', { client_id: 'client-expiring' }, 1);
      assert.ok(await a('AccessToken').find(at));
      assert.ok(await a('Session').findByUid(uid));
      await sleep(1300);
      assert.equal(await a('AccessToken').find(at), undefined);
      assert.equal(await a('Session').find(sid), undefined);
      assert.equal(await a('Session').findByUid(uid), undefined);
      assert.equal(await a('DeviceCode').findByUserCode(userCode), undefined);
      assert.equal(await a('Client').find('client-expiring'), undefined);
      await a('AccessToken').revokeByGrantId(grantId);
    });

    void it('records without expiry (expiresIn undefined) are kept', async () => {
      const grantId = secret('grant');
      const rt = secret('rt');
      await a('Client').upsert('client-forever', { client_id: 'client-forever', client_secret: secret('secret') }, undefined);
      await a('RefreshToken').upsert(rt, { kind: 'RefreshToken', grantId }, undefined);
      await a('Grant').upsert(grantId, { kind: 'Grant', accountId: secret('acct') }, undefined);
      assert.equal((await a('Client').find('client-forever'))?.client_id, 'client-forever');
      assert.ok(await a('RefreshToken').find(rt));
      assert.ok(await a('Grant').find(grantId));
      await a('RefreshToken').consume(rt);
      assert.equal(typeof (await a('RefreshToken').find(rt))?.consumed, 'number');
      await a('RefreshToken').revokeByGrantId(grantId);
      assert.equal(await a('RefreshToken').find(rt), undefined);
    });

    void it('TOK-1: consume marks an authorization code used and drops its sensitive content', async () => {
      const id = secret('code');
      const grantId = secret('grant');
      const payload = code(grantId);
      await a('AuthorizationCode').upsert(id, payload, 60);
      await a('AuthorizationCode').consume(id);
      const used = await a('AuthorizationCode').find(id);
      assert.ok(used, 'the used code is kept until it expires, to detect a replay');
      assert.equal(typeof used.consumed, 'number');
      for (const gone of ['accountId', 'claims', 'nonce', 'scope', 'sessionUid', 'acr', 'authTime']) {
        assert.equal(gone in used, false, `${gone} must be gone after use`);
      }
      for (const kept of ['clientId', 'grantId', 'codeChallenge', 'codeChallengeMethod', 'redirectUri', 'kind', 'iat', 'exp'] as const) {
        assert.deepEqual(used[kept], payload[kept], `${kept} is kept for replay detection`);
      }
      await assert.rejects(a('AuthorizationCode').consume(id), isInvalidGrant, 'a second consume is refused with invalid_grant');
      // The library always finds first: a record gone by the time it is consumed was used
      // and revoked meanwhile, so the consume is refused, never taken as a success.
      await assert.rejects(a('AuthorizationCode').consume(secret('unknown')), isInvalidGrant);
    });

    void it('TOK-1: a code revoked between the find and the consume cannot be consumed', async () => {
      const id = secret('code');
      const grantId = secret('grant');
      await a('AuthorizationCode').upsert(id, code(grantId), 60);
      assert.ok(await a('AuthorizationCode').find(id), 'found, as the library does first');
      await a('AuthorizationCode').revokeByGrantId(grantId);
      await assert.rejects(a('AuthorizationCode').consume(id), isInvalidGrant);
    });

    void it('TOK-1: losing a consume race revokes the grant (its tokens and the grant record)', async () => {
      const id = secret('code');
      const grantId = secret('grant');
      const at = secret('at');
      await a('Grant').upsert(grantId, { kind: 'Grant', jti: grantId, accountId: secret('acct'), clientId: 'client-a' }, 600);
      await a('AuthorizationCode').upsert(id, code(grantId), 60);
      await a('AccessToken').upsert(at, { kind: 'AccessToken', grantId, accountId: secret('acct') }, 60);
      await a('AuthorizationCode').consume(id);
      await assert.rejects(a('AuthorizationCode').consume(id), isInvalidGrant);
      assert.equal(await a('AccessToken').find(at), undefined, 'the tokens of the grant are gone');
      assert.equal(await a('Grant').find(grantId), undefined, 'the grant is gone');
    });

    for (const model of ['AuthorizationCode', 'RefreshToken']) {
      void it(`TOK-1: of 100 parallel consumes of one ${model} exactly one wins`, async () => {
        const id = secret('code');
        const grantId = secret('grant');
        await a(model).upsert(id, model === 'AuthorizationCode' ? code(grantId) : { kind: model, grantId, accountId: secret('a') }, 60);
        const results = await Promise.allSettled(Array.from({ length: 100 }, () => a(model).consume(id)));
        const won = results.filter((r) => r.status === 'fulfilled').length;
        assert.equal(won, 1, `exactly one consume succeeds, got ${won}`);
        for (const r of results) if (r.status === 'rejected') assert.ok(isInvalidGrant(r.reason), String(r.reason));
        // The losers were replays: they revoked the grant, and the used record with it.
        assert.equal(await a(model).find(id), undefined);
      });
    }

    // #13.7: inside a request the store keeps what it opened (src/storage/request-scope.ts).
    // Each request below is its own withRequestScope(), as the Koa middleware makes them.
    for (const model of ['AuthorizationCode', 'RefreshToken']) {
      void it(`TOK-1 in requests: of 50 parallel requests that each find then consume one ${model}, exactly one wins and the rest revoke the grant`, async () => {
        const id = secret('code');
        const grantId = secret('grant');
        const at = secret('at');
        await a(model).upsert(id, model === 'AuthorizationCode' ? code(grantId) : { kind: model, grantId, accountId: secret('a') }, 60);
        await a('AccessToken').upsert(at, { kind: 'AccessToken', grantId, accountId: secret('a') }, 60);
        const request = () =>
          withRequestScope(async () => {
            assert.ok(await a(model).find(id), 'the library finds first');
            await a(model).consume(id);
          });
        const results = await Promise.allSettled(Array.from({ length: 50 }, request));
        const won = results.filter((r) => r.status === 'fulfilled').length;
        assert.equal(won, 1, `exactly one request's consume succeeds, got ${won}`);
        for (const r of results) if (r.status === 'rejected') assert.ok(isInvalidGrant(r.reason), String(r.reason));
        // The losers were replays: they revoked the grant, its tokens and the used record.
        assert.equal(await a(model).find(id), undefined);
        assert.equal(await a('AccessToken').find(at), undefined);
      });
    }

    void it('TOK-1 in requests: a record used by another request after this request found it is refused, never consumed twice', async () => {
      const id = secret('code');
      const grantId = secret('grant');
      await a('AuthorizationCode').upsert(id, code(grantId), 60);
      await withRequestScope(async () => {
        assert.ok(await a('AuthorizationCode').find(id));
        await withRequestScope(() => a('AuthorizationCode').consume(id));
        await assert.rejects(a('AuthorizationCode').consume(id), isInvalidGrant);
      });
    });

    void it('in requests: a record another request rewrote after this one found it is consumed on a fresh read (no false replay)', async () => {
      const id = secret('req');
      const grantId = secret('grant');
      await a('BackchannelAuthenticationRequest').upsert(id, { kind: 'BackchannelAuthenticationRequest', grantId, clientId: 'client-a' }, 60);
      await withRequestScope(async () => {
        assert.ok(await a('BackchannelAuthenticationRequest').find(id));
        // The person approves on their device meanwhile (another request writes the record).
        await withRequestScope(() => a('BackchannelAuthenticationRequest').upsert(id, { kind: 'BackchannelAuthenticationRequest', grantId, clientId: 'client-a', accountId: 'approved' }, 60));
        await a('BackchannelAuthenticationRequest').consume(id);
      });
      const used = await a('BackchannelAuthenticationRequest').find(id);
      assert.equal(typeof used?.consumed, 'number');
      assert.equal(used?.accountId, 'approved', 'the consumed record is the rewritten one');
    });

    void it('in requests: each find returns its own copy; a write is seen by later reads of the request; other requests read the store', async () => {
      const id = secret('session');
      const uid = secret('uid');
      await a('Session').upsert(id, { kind: 'Session', uid, accountId: 'first' }, 60);
      await withRequestScope(async () => {
        const first = await a('Session').find(id);
        assert.ok(first);
        first.accountId = 'mutated by the caller';
        assert.equal((await a('Session').find(id))?.accountId, 'first', 'a caller mutating what it found changes nothing');
        assert.equal((await a('Session').findByUid(uid))?.accountId, 'first');
        await a('Session').upsert(id, { kind: 'Session', uid: `${uid}-2`, accountId: 'second' }, 60);
        assert.equal((await a('Session').find(id))?.accountId, 'second', 'the request sees its own write');
        assert.equal(await a('Session').findByUid(uid), undefined, 'the old uid finds nothing once the record took another');
        assert.equal((await a('Session').findByUid(`${uid}-2`))?.accountId, 'second');
        await withRequestScope(async () => {
          await a('Session').upsert(id, { kind: 'Session', uid, accountId: 'third' }, 60);
        });
        assert.equal((await a('Session').find(id))?.accountId, 'second', 'within one request a record is read once');
        await a('Session').destroy(id);
        assert.equal(await a('Session').find(id), undefined, 'a destroyed record is gone for the request too');
      });
      assert.equal(await a('Session').find(id), undefined);
      assert.equal(await a('Session').findByUid(uid), undefined, 'destroy removed the alias written by the other request');
    });

    void it('replay detection: of 20 parallel unique() checks of one jti exactly one passes', async () => {
      const id = secret('jti');
      // ReplayDetection.unique() as the library does it: find, then save if absent.
      const unique = async () => {
        if (await a('ReplayDetection').find(id)) return false;
        await a('ReplayDetection').upsert(id, { kind: 'ReplayDetection', iss: 'client-a', jti: id }, 60);
        return true;
      };
      const results = await Promise.allSettled(Array.from({ length: 20 }, unique));
      const passed = results.filter((r) => r.status === 'fulfilled' && r.value).length;
      assert.equal(passed, 1, `exactly one passes, got ${passed}`);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { status?: number }).status, 400);
      assert.equal(await unique().catch(() => false), false);
    });

    void it('revokeByGrantId removes that model\'s records of that grant only', async () => {
      const g1 = secret('grant');
      const g2 = secret('grant');
      const [at1, at2, at3, rt1, code1] = [secret('at'), secret('at'), secret('at'), secret('rt'), secret('code')];
      await a('AccessToken').upsert(at1, { kind: 'AccessToken', grantId: g1 }, 60);
      await a('AccessToken').upsert(at2, { kind: 'AccessToken', grantId: g1 }, undefined);
      await a('AccessToken').upsert(at3, { kind: 'AccessToken', grantId: g2 }, 60);
      await a('RefreshToken').upsert(rt1, { kind: 'RefreshToken', grantId: g1 }, 60);
      await a('AuthorizationCode').upsert(code1, code(g1), 60);
      await a('AccessToken').revokeByGrantId(g1);
      assert.equal(await a('AccessToken').find(at1), undefined);
      assert.equal(await a('AccessToken').find(at2), undefined);
      assert.ok(await a('AccessToken').find(at3), 'another grant is untouched');
      assert.ok(await a('RefreshToken').find(rt1), 'another model is untouched');
      assert.ok(await a('AuthorizationCode').find(code1), 'another model is untouched');
      await a('RefreshToken').revokeByGrantId(g1);
      await a('AuthorizationCode').revokeByGrantId(g1);
      assert.equal(await a('RefreshToken').find(rt1), undefined);
      assert.equal(await a('AuthorizationCode').find(code1), undefined);
      // a new token of a revoked grant id is indexed afresh
      await a('AccessToken').upsert(at1, { kind: 'AccessToken', grantId: g1 }, 60);
      await a('AccessToken').revokeByGrantId(g1);
      assert.equal(await a('AccessToken').find(at1), undefined);
      await a('AccessToken').revokeByGrantId(secret('grant')); // unknown grant: nothing happens
    });

    void it('destroy leaves nothing behind: no grant index entry, no secondary index', async () => {
      if (!store.dump) return;
      const before = new Set(await store.dump());
      const grantId = secret('grant');
      const [at, sid, dc] = [secret('at'), secret('sid'), secret('dc')];
      const [uid, userCode] = [secret('uid'), secret('UC')];
      await a('AccessToken').upsert(at, { kind: 'AccessToken', grantId }, 60);
      await a('Session').upsert(sid, { kind: 'Session', uid }, 60);
      await a('DeviceCode').upsert(dc, { kind: 'DeviceCode', userCode, grantId }, 60);
      assert.ok((await store.dump()).length > before.size);
      await a('AccessToken').destroy(at);
      await a('Session').destroy(sid);
      await a('DeviceCode').destroy(dc);
      const left = (await store.dump()).filter((raw) => !before.has(raw));
      assert.deepEqual(left, [], 'nothing new remains after destroy');
      assert.equal(await a('Session').findByUid(uid), undefined);
      assert.equal(await a('DeviceCode').findByUserCode(userCode), undefined);
    });

    void it('findByUid (Session) and findByUserCode (DeviceCode)', async () => {
      const [sid, uid, uid2] = [secret('sid'), secret('uid'), secret('uid')];
      await a('Session').upsert(sid, { kind: 'Session', uid, accountId: secret('acct') }, 60);
      assert.equal((await a('Session').findByUid(uid))?.uid, uid);
      assert.equal(await a('Session').findByUid(secret('uid')), undefined);
      await a('Session').upsert(sid, { kind: 'Session', uid: uid2 }, 60);
      assert.equal(await a('Session').findByUid(uid), undefined, 'the old uid no longer finds the session');
      assert.equal((await a('Session').findByUid(uid2))?.uid, uid2);

      const [dc, userCode] = [secret('dc'), secret('UC')];
      const grantId = secret('grant');
      await a('DeviceCode').upsert(dc, { kind: 'DeviceCode', userCode, clientId: 'client-a' }, 60);
      assert.equal((await a('DeviceCode').findByUserCode(userCode))?.clientId, 'client-a');
      // approved: the record joins its grant; both lookups still work, revoke removes it
      await a('DeviceCode').upsert(dc, { kind: 'DeviceCode', userCode, clientId: 'client-a', grantId, accountId: secret('a') }, 60);
      assert.equal((await a('DeviceCode').findByUserCode(userCode))?.grantId, grantId);
      assert.equal((await a('DeviceCode').find(dc))?.grantId, grantId);
      await a('DeviceCode').revokeByGrantId(grantId);
      assert.equal(await a('DeviceCode').find(dc), undefined);
      assert.equal(await a('DeviceCode').findByUserCode(userCode), undefined);
    });

    void it('TOK-2: nothing stored reveals an id, a token value or personal data', async () => {
      if (!store.dump) return;
      const email = `patient.${randomUUID().slice(0, 8)}@example.org`;
      const nhi = `ZZZ${String(Math.floor(Math.random() * 9000) + 1000)}`;
      secrets.add(email);
      secrets.add(nhi);
      const grantId = secret('grant');
      const personal = { email, nhi, given_name: secret('given') };
      const models: [string, AdapterPayload][] = [
        ['Session', { kind: 'Session', uid: secret('uid'), accountId: secret('acct'), loginTs: now() }],
        ['Interaction', { kind: 'Interaction', uid: secret('uid'), params: { login_hint: email }, result: { login: { accountId: nhi } } }],
        ['Grant', { kind: 'Grant', accountId: secret('acct'), clientId: 'client-a', openid: { scope: 'openid email', claims: ['email'] } }],
        ['AuthorizationCode', code(grantId, { accountId: nhi })],
        ['AccessToken', { kind: 'AccessToken', grantId, accountId: nhi, extra: personal }],
        ['RefreshToken', { kind: 'RefreshToken', grantId, accountId: nhi }],
        ['ClientCredentials', { kind: 'ClientCredentials', clientId: 'client-a' }],
        ['Client', { client_id: 'client-b', client_secret: secret('client-secret') }],
        ['InitialAccessToken', { kind: 'InitialAccessToken' }],
        ['RegistrationAccessToken', { kind: 'RegistrationAccessToken', clientId: 'client-b' }],
        ['DeviceCode', { kind: 'DeviceCode', userCode: secret('UC'), grantId, accountId: nhi }],
        ['BackchannelAuthenticationRequest', { kind: 'BackchannelAuthenticationRequest', grantId, accountId: nhi }],
        ['PushedAuthorizationRequest', { kind: 'PushedAuthorizationRequest', request: `eyJ.${email}.sig` }],
        ['ReplayDetection', { kind: 'ReplayDetection', iss: 'client-a' }],
      ];
      for (const [model, payload] of models) {
        const id = model === 'Grant' ? grantId : secret(model);
        await a(model).upsert(id, payload, 60);
        assert.ok(await a(model).find(id), `${model} round-trips`);
      }
      const raw = await store.dump();
      assert.ok(raw.length > models.length);
      const leaks: string[] = [];
      for (const value of secrets) {
        if (raw.some((r) => r.includes(value))) leaks.push(value.replace(/-.*/, '-…'));
      }
      assert.deepEqual(leaks, [], 'no stored key or value contains an id, token value, email or NHI');
      assert.equal(raw.filter((r) => /[A-Z]{3}\d{4}/.test(r) && r.includes(nhi)).length, 0);
    });

    void it('TOK-2: after key rotation old records still open and new writes use the new key', async () => {
      const rotating = rotatingSealer();
      const own = await make(rotating.sealer);
      try {
        const a2 = (model: string) => own.store.adapter(model);
        const [oldCode, oldSession, newToken] = [secret('code'), secret('sid'), secret('at')];
        const grantId = secret('grant');
        await a2('AuthorizationCode').upsert(oldCode, code(grantId), 60);
        await a2('Session').upsert(oldSession, { kind: 'Session', uid: secret('uid') }, 60);
        const kids = async () => {
          const sealed = (await own.store.dump?.())?.filter((r) => r.startsWith('v1.')) ?? [];
          return new Set(sealed.map((r) => r.split('.')[1]));
        };
        if (own.store.dump) assert.deepEqual(await kids(), new Set([rotating.oldKid]));
        rotating.rotate();
        assert.ok(await a2('Session').find(oldSession), 'a record sealed under the old key still opens');
        await a2('AuthorizationCode').consume(oldCode);
        assert.equal(typeof (await a2('AuthorizationCode').find(oldCode))?.consumed, 'number');
        await a2('AccessToken').upsert(newToken, { kind: 'AccessToken', grantId }, 60);
        await a2('Session').upsert(oldSession, { kind: 'Session', uid: secret('uid') }, 60);
        if (own.store.dump) assert.deepEqual(await kids(), new Set([rotating.newKid]), 'every rewritten record uses the new kid');
      } finally {
        await own.store.close();
        await own.cleanup?.();
      }
    });
  });
}
