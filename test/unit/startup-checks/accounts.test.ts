// Account password hashes whose scrypt parameters are out of a sane range, and usernames
// that differ only in case, stop start-up naming the account.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashPassword } from '../../../src/accounts/password.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const good = await hashPassword('a-long-test-password', { N: 16384, r: 8, p: 1 });
const withN = (N: number) => good.replace(/N=\d+/, `N=${N}`);
const account = (username: string, passwordHash = good) => ({ username, passwordHash, claims: {} });

describe('start-up: accounts', () => {
  for (const [N, why] of [[3, /power of two/], [1024, /too cheap/], [4194304, /MiB per login/]] as const) {
    it(`scrypt N=${N} on the second account is refused, naming that account`, async () => {
      const verdict = await startupVerdict(productionRaw({ accounts: [account('alice'), account('bob', withN(N))] }));
      assert.deepEqual(verdict.problems.map((p) => p.field), ['accounts[1].passwordHash']);
      assert.match(verdict.text, why);
    });
  }

  it('usernames that differ only in case are refused', async () => {
    const verdict = await startupVerdict(productionRaw({ accounts: [account('alice'), account('Alice')] }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['accounts[1].username']);
    assert.match(verdict.text, /accounts\[0\]\.username apart from case/);
  });

  it('N=16384 in production is accepted', async () => {
    assert.deepEqual((await startupVerdict(productionRaw({ accounts: [account('alice')] }))).problems, []);
  });
});
