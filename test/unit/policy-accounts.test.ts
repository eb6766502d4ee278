// The deployment file's accounts (src/policy/accounts.ts): a password hash a login verifies
// in sane time and memory (scrypt cost at least 2^14 in production, 2^10 in development, at
// most 256 MiB per login, salt and hash of 16 bytes or more), and usernames and ids that name
// one person each. Each bound is tested at the limit and one step past it, with the message
// the operator reads. (No guideline rule: these keep sign-in from being cheap to brute-force
// or a memory bomb.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AccountConfig } from '../../src/config/schema.js';
import { checkAccounts } from '../../src/policy/accounts.js';

const b64 = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64url');
/** An encoded hash with these parameters (the check reads the parameters, not the password). */
const hash = ({ N = 16384, r = 8, p = 1, salt = 16, key = 32 } = {}) => `scrypt$N=${N},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
const account = (username: string, passwordHash = hash(), id?: string): AccountConfig => ({ username, passwordHash, claims: {}, ...(id ? { id } : {}) });
const problems = (passwordHash: string, development = false) => checkAccounts([account('alice', passwordHash)], development);
const refused = (message: string) => [{ field: 'accounts[0].passwordHash', message }];

describe('account checks at start-up', () => {
  it('production: scrypt N=2^14 is accepted, N=2^13 is too cheap, saying the least to use', () => {
    assert.deepEqual(problems(hash({ N: 16384 })), []);
    assert.deepEqual(problems(hash({ N: 8192 })), refused('scrypt N=8192 is too cheap; use at least 16384 (npm run hash-password uses 32768)'));
  });

  it('development: test accounts may use N=2^10, not 2^9', () => {
    assert.deepEqual(problems(hash({ N: 1024 }), true), []);
    assert.deepEqual(problems(hash({ N: 512 }), true), refused('scrypt N=512 is too cheap; use at least 1024 (npm run hash-password uses 32768)'));
  });

  it('N must be a power of two; N=1 is too cheap', () => {
    assert.deepEqual(problems(hash({ N: 16385 })), refused('scrypt N=16385 must be a power of two'));
    assert.deepEqual(problems(hash({ N: 1 }), true), refused('scrypt N=1 is too cheap; use at least 1024 (npm run hash-password uses 32768)'));
  });

  it('r up to 32 and p up to 16 are accepted; one more is out of range, naming both limits', () => {
    assert.deepEqual(problems(hash({ N: 16384, r: 32 })), []);
    assert.deepEqual(problems(hash({ N: 16384, r: 8, p: 16 })), []);
    assert.deepEqual(problems(hash({ N: 16384, r: 33 })), refused('scrypt r=33, p=1 are out of range (r ≤ 32, p ≤ 16)'));
    assert.deepEqual(problems(hash({ N: 16384, r: 8, p: 17 })), refused('scrypt r=8, p=17 are out of range (r ≤ 32, p ≤ 16)'));
  });

  it('a login may need 256 MiB (N=2^18, r=8) but not 512 MiB (N=2^19, r=8)', () => {
    assert.deepEqual(problems(hash({ N: 2 ** 18, r: 8 })), []);
    assert.deepEqual(problems(hash({ N: 2 ** 19, r: 8 })), refused('scrypt N=524288, r=8 needs 512 MiB per login; at most 256 MiB'));
    assert.deepEqual(problems(hash({ N: 2 ** 16, r: 32 })), []);
    assert.deepEqual(problems(hash({ N: 2 ** 17, r: 32 })), refused('scrypt N=131072, r=32 needs 512 MiB per login; at most 256 MiB'));
  });

  it('salt and hash of 16 bytes are accepted; 15 bytes of either is refused', () => {
    assert.deepEqual(problems(hash({ salt: 16, key: 16 })), []);
    assert.deepEqual(problems(hash({ salt: 15 })), refused('salt and hash must each be at least 16 bytes'));
    assert.deepEqual(problems(hash({ key: 15 })), refused('salt and hash must each be at least 16 bytes'));
  });

  it('something that is not an scrypt hash (a password pasted in) is refused, saying how to make one', () => {
    assert.deepEqual(problems('correct horse battery staple'), refused('is not a hash from `npm run hash-password` (scrypt$N=…,r=…,p=…$salt$hash)'));
  });

  it('usernames equal apart from case or surrounding spaces are refused on the later account, naming the earlier', () => {
    assert.deepEqual(checkAccounts([account('alice'), account('bob'), account(' Alice ')], false), [
      { field: 'accounts[2].username', message: 'is the same as accounts[0].username apart from case or spaces; sign-in ignores both' },
    ]);
  });

  it('usernames sign-in tells apart (it lower-cases: "straße" and "strasse" stay two people) are both accepted', () => {
    assert.deepEqual(checkAccounts([account('straße'), account('STRASSE')], false), []);
  });

  it('two accounts with one id are refused, an account without an id being known by its username', () => {
    assert.deepEqual(checkAccounts([account('alice', hash(), 'p-1'), account('bob', hash(), 'p-1')], false), [
      { field: 'accounts[1].id', message: 'is the same as accounts[0]\'s' },
    ]);
    assert.deepEqual(checkAccounts([account('alice'), account('bob', hash(), 'alice')], false), [
      { field: 'accounts[1].id', message: 'is the same as accounts[0]\'s' },
    ]);
    assert.deepEqual(checkAccounts([account('alice', hash(), 'p-1'), account('bob', hash(), 'p-2'), account('carol', hash(), 'p-3')], false), []);
  });
});
