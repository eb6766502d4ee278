// TOK-9 at start-up (src/policy/executors/signing-algs.ts): what an operator is told for
// each algorithm setting that names an unapproved algorithm: the field, the rule, the
// algorithm, and for client assertions the ones that would be accepted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { signingAlgs } from '../../src/policy/executors/signing-algs.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const base = configFrom(testRawConfig('http://localhost:3000'));
const withAlgs = (algorithms: Partial<Config['algorithms']>): Config => ({ ...base, algorithms: { ...base.algorithms, ...algorithms } });

describe('TOK-9: start-up messages of the signing-algs executor', () => {
  it('TOK-9: an ID-token algorithm that is not approved is named at its index', () => {
    assert.deepEqual(signingAlgs.checkDeployment?.(withAlgs({ idToken: ['ES256', 'HS256'], accessToken: 'ES256' })), [
      { field: 'algorithms.idToken[1]', message: '"HS256" is not an approved signing algorithm', rule: 'TOK-9' },
    ]);
  });

  it('TOK-9: none and every HMAC algorithm are refused for ID tokens even when the list itself names them', () => {
    const fields = (idToken: string[]) => (signingAlgs.checkDeployment?.(withAlgs({ idToken: ['ES256', ...idToken], accessToken: 'ES256' })) ?? []).map((p) => p.field);
    assert.deepEqual(fields(['none', 'HS256', 'HS384', 'HS512']), ['algorithms.idToken[1]', 'algorithms.idToken[2]', 'algorithms.idToken[3]', 'algorithms.idToken[4]']);
    assert.deepEqual(fields(['PS256', 'RS256']), [], 'an opted-in RSA algorithm named in the list is accepted');
  });

  it('TOK-9: the access-token algorithm is refused when not approved or not among the ID-token algorithms, and the message says both', () => {
    assert.deepEqual(signingAlgs.checkDeployment?.(withAlgs({ idToken: ['ES256'], accessToken: 'RS256' })), [
      { field: 'algorithms.accessToken', message: '"RS256" is not an approved signing algorithm (or not in algorithms.idToken)', rule: 'TOK-9' },
    ]);
  });

  it('TOK-9: a client-assertion algorithm outside the lists is refused, naming the approved and the opt-in algorithms', () => {
    assert.deepEqual(signingAlgs.checkDeployment?.(withAlgs({ clientAuthentication: ['ES256', 'none'] })), [
      {
        field: 'algorithms.clientAuthentication[1]',
        message: '"none" is not an approved client assertion algorithm (approved: PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519; opt-in: RS256, RS384, RS512)',
        rule: 'TOK-9',
      },
    ]);
  });

  it('TOK-9: an API signing with an unapproved algorithm, or RSA the ID-token list does not opt in, is named at its index', () => {
    const api = base.resourceServers[0];
    assert.ok(api);
    const config: Config = { ...withAlgs({ idToken: ['ES256'], accessToken: 'ES256' }), resourceServers: [{ ...api, signingAlg: 'PS256' }, { ...api, signingAlg: 'RS256' }] };
    assert.deepEqual(signingAlgs.checkDeployment?.({ ...config, algorithms: { ...config.algorithms, idToken: ['ES256', 'RS256'] } }), []);
    assert.deepEqual(signingAlgs.checkDeployment?.(config), [{ field: 'resourceServers[1].signingAlg', message: '"RS256" is not an approved signing algorithm here', rule: 'TOK-9' }]);
  });
});
