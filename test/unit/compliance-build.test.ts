// src/compliance/build.ts states facts the report cannot read off the configuration.
// These tests tie each fact to the code it describes: when the code changes, a test
// fails here and the fact (and so the report) gets updated, instead of going stale.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore } from '../../src/accounts/store.js';
import { BUILD } from '../../src/compliance/build.js';
import { findAccountWith } from '../../src/provider/accounts.js';

const accounts: AccountStore = {
  authenticate: () => Promise.resolve(undefined),
  find: (id) => Promise.resolve({ id, claims: { name: 'Alice Ngata', nhi: 'ZZZ0016' } }),
};

describe('compliance build facts', () => {
  it('TOK-8: backChannelIdTokenClaims matches what findAccount gives an ID token at /token', async () => {
    const ctx = { oidc: { route: 'token' } } as unknown as KoaContextWithOIDC;
    const account = await findAccountWith(accounts)(ctx, 'acct', {} as never);
    assert.ok(account);
    const claims = await account.claims('id_token', 'openid profile nhi', {}, []);
    assert.equal('nhi' in claims, BUILD.backChannelIdTokenClaims, 'update BUILD.backChannelIdTokenClaims (and TOK-8 in the report)');
  });

  it('OIDC-4: an ID token at the authorization endpoint gets sub only (the report says enforced)', async () => {
    const ctx = { oidc: { route: 'authorization' } } as unknown as KoaContextWithOIDC;
    const account = await findAccountWith(accounts)(ctx, 'acct', undefined);
    assert.deepEqual(await account?.claims('id_token', 'openid profile nhi', {}, []), { sub: 'acct' });
  });

  it('EP-11: tlsListener matches whether the server opens a TLS listener', () => {
    const source = ['src/server.ts', 'src/server/listener.ts', 'src/main.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.equal(/node:https|node:tls|createSecureServer/.test(source), BUILD.tlsListener, 'update BUILD.tlsListener (and EP-11 in the report)');
  });

  it('OIDC-8: consentLedger matches whether a consent ledger module exists', () => {
    assert.equal(existsSync('src/consent/ledger.ts'), BUILD.consentLedger, 'update BUILD.consentLedger (and OIDC-8 in the report)');
  });
});
