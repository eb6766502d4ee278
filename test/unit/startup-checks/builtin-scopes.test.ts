// OIDC-3: `openid` and `offline_access` are built in; a file that redefines them (for
// example to make `openid` release the NHI number at /userinfo) does not start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

describe('start-up: built-in scopes (OIDC-3)', () => {
  for (const scope of ['openid', 'offline_access']) {
    it(`OIDC-3: scopes.${scope} is refused`, async () => {
      const verdict = await startupVerdict(productionRaw({ scopes: { [scope]: { description: 'See your NHI number', claims: ['nhi'] } } }));
      assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [[`scopes.${scope}`, 'OIDC-3']]);
    });
  }
});
