// Start-up checks for the fields of the token endpoint's edges and the proxy: a wrong
// value stops the IdP naming the field (and the rule).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema } from '../../src/config/schema.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

describe('start-up checks: client assertion algorithms and proxies', () => {
  it('TOK-9: algorithms.clientAuthentication refuses HMAC and none, naming the field', () => {
    const config = configFrom(testRawConfig('http://localhost:3000', { algorithms: { clientAuthentication: ['ES256', 'HS256', 'none'] } }));
    const problems = checkDeployment(config).problems.filter((p) => p.field.startsWith('algorithms.clientAuthentication'));
    assert.deepEqual(problems.map((p) => [p.field, p.rule]), [['algorithms.clientAuthentication[1]', 'TOK-9'], ['algorithms.clientAuthentication[2]', 'TOK-9']]);
  });

  it('TOK-9: RS256 in algorithms.clientAuthentication is an accepted opt-in', () => {
    const config = configFrom(testRawConfig('http://localhost:3000', { algorithms: { clientAuthentication: ['ES256', 'RS256'] } }));
    assert.deepEqual(checkDeployment(config).problems, []);
  });

  it('EP-11: proxy.trusted takes addresses and CIDR blocks only', () => {
    const bad = configSchema.safeParse(testRawConfig('http://localhost:3000', { proxy: { trusted: ['10.0.0.0/8', 'proxy.internal'] } }));
    assert.equal(bad.success, false);
    assert.match(JSON.stringify(bad.error?.issues), /trusted.*an address or CIDR block/);
    assert.equal(configSchema.safeParse(testRawConfig('http://localhost:3000', { proxy: { hops: 2 } })).success, true);
  });
});
