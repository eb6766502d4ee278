// TOK-9, EP-2 (src/policy/algorithms.ts): what the signing keys must serve, what the
// compliance report shows as opted in, and the algorithms a client assertion may use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAssertionAlgs, optedInAlgs, signingAlgsInUse } from '../../src/policy/algorithms.js';

describe('signing algorithms (TOK-9)', () => {
  it('TOK-9: the keys must serve the ID-token and access-token algorithms and each API\'s own, nothing for an API without one', () => {
    const config = { algorithms: { idToken: ['ES256', 'PS256'], accessToken: 'ES256' }, resourceServers: [{ signingAlg: 'PS384' }, {}] };
    assert.deepEqual(signingAlgsInUse(config as Parameters<typeof signingAlgsInUse>[0]), ['ES256', 'PS256', 'PS384']);
  });

  it('TOK-9: the compliance report lists as opted in only the RSASSA-PKCS1 algorithms of a list', () => {
    assert.deepEqual(optedInAlgs(['ES256', 'RS256', 'PS256', 'RS512']), ['RS256', 'RS512']);
    assert.deepEqual(optedInAlgs(['ES256', 'PS256']), []);
  });

  it('EP-2: client_secret_jwt assertions may use HS256, HS384 and HS512 whatever the asymmetric list is', () => {
    assert.deepEqual(clientAssertionAlgs(['ES256']), { asymmetric: ['ES256'], symmetric: ['HS256', 'HS384', 'HS512'] });
  });
});
