// EP-5, GR-2 (src/policy/executors/introspection.ts): the client an API names to read its
// tokens at /introspect is a confidential static client of the API's class or above, and
// start-up says which API and what is wrong; the token's audience is read in every form the
// library keeps it in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import type { ResourceServerConfig } from '../../src/config/schema.js';
import { audienceOf, introspection, introspectionClientProblems, mayIntrospect } from '../../src/policy/executors/introspection.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const api = (introspectionClientId: string | undefined, classification: ResourceServerConfig['classification'] = 'IN-CONFIDENCE'): ResourceServerConfig =>
  ({ identifier: 'https://api.example/r', classification, scopes: {}, personScopes: [], accessTokenFormat: 'jwt', introspectionClientId });
const clients = [
  { client_id: 'gw', classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post' },
  { client_id: 'spa', classification: 'PUBLIC', token_endpoint_auth_method: 'none' },
  { client_id: 'bare', token_endpoint_auth_method: 'private_key_jwt' },
];

describe('EP-5: the introspection client an API names (executors/introspection.ts)', () => {
  it('EP-5: an API without one, or naming a confidential client of its class or above, passes', () => {
    assert.deepEqual(introspectionClientProblems(api(undefined), clients), []);
    assert.deepEqual(introspectionClientProblems(api('gw'), clients), []);
    assert.deepEqual(introspectionClientProblems(api('gw', 'PUBLIC'), clients), []);
  });

  it('EP-5: a client that is not in clients[] is refused by name', () => {
    assert.deepEqual(introspectionClientProblems(api('nobody'), clients), [{ field: 'introspectionClientId', message: '"nobody" is not a client in clients[]', rule: 'EP-5' }]);
  });

  it('EP-5: a public client is refused: introspection needs client authentication', () => {
    assert.deepEqual(introspectionClientProblems(api('spa', 'PUBLIC'), clients), [
      { field: 'introspectionClientId', message: '"spa" is a public client; introspection needs client authentication', rule: 'EP-5' },
    ]);
  });

  it('GR-2: a client below the API\'s class, or without a class, may not read its tokens', () => {
    const below = [{ field: 'introspectionClientId', message: '"gw" must be classified SENSITIVE or above to read this API\'s tokens', rule: 'GR-2' }];
    assert.deepEqual(introspectionClientProblems(api('gw', 'SENSITIVE'), clients), below);
    assert.equal(introspectionClientProblems(api('bare', 'PUBLIC'), clients)[0]?.rule, 'GR-2');
  });

  it('EP-5: start-up names the API by its place in resourceServers[]', () => {
    const base = configFrom(testRawConfig('http://localhost:3000'));
    const config: Config = { ...base, clients, resourceServers: [api(undefined), api('nobody')] };
    assert.deepEqual(introspection.checkDeployment?.(config), [{ field: 'resourceServers[1].introspectionClientId', message: '"nobody" is not a client in clients[]', rule: 'EP-5' }]);
  });
});

describe('TOK-6, EP-5: an API\'s introspection client among several APIs', () => {
  it('EP-5: the reader of one API may introspect that API\'s tokens though other APIs name other readers', () => {
    const servers = [{ ...api('gw'), identifier: 'https://api.example/r' }, { ...api('other'), identifier: 'https://api.example/s' }];
    const facts = { callerId: 'gw', callerPublic: false, tokenClientId: 'app', audience: ['https://api.example/r'] };
    assert.equal(mayIntrospect(servers, facts), true);
    assert.equal(mayIntrospect(servers, { ...facts, audience: ['https://api.example/s'] }), false);
  });
});

describe('TOK-6: the audience of a token, as a list', () => {
  it('TOK-6: a string is one API, a list keeps its strings, anything else is none', () => {
    assert.deepEqual(audienceOf('https://api.example/r'), ['https://api.example/r']);
    assert.deepEqual(audienceOf(['https://a', 7, 'https://b']), ['https://a', 'https://b']);
    assert.deepEqual(audienceOf(undefined), []);
    assert.deepEqual(audienceOf({ aud: 'https://a' }), []);
  });
});
