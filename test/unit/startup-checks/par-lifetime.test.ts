// EP-8: a pushed-authorization-request lifetime over 600 s (RFC 9126) stops start-up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

describe('start-up: PAR lifetime (EP-8)', () => {
  it('EP-8: lifetimes.pushedAuthorizationRequest over 600 is refused', async () => {
    const verdict = await startupVerdict(productionRaw({ lifetimes: { pushedAuthorizationRequest: 601 } }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['lifetimes.pushedAuthorizationRequest', 'EP-8']]);
  });

  it('EP-8: 600 is accepted', async () => {
    assert.deepEqual((await startupVerdict(productionRaw({ lifetimes: { pushedAuthorizationRequest: 600 } }))).problems, []);
  });
});
