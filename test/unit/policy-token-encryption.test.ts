// TOK-8: what start-up tells an operator who lists JWE algorithms outside the approved ones
// for an API's access tokens (src/policy/executors/token-encryption.ts): the field, the
// rule, and the algorithms to use instead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import type { ResourceServerConfig } from '../../src/config/schema.js';
import { tokenEncryption } from '../../src/policy/executors/token-encryption.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const base = configFrom(testRawConfig('http://localhost:3000'));
const api = (encrypt: ResourceServerConfig['encrypt']): ResourceServerConfig => ({ identifier: 'https://api.example/fhir', classification: 'SENSITIVE', scopes: {}, personScopes: [], accessTokenFormat: 'jwt', encrypt });
const withApis = (...apis: ResourceServerConfig[]): Config => ({ ...base, resourceServers: apis });

describe('TOK-8 at start-up (executors/token-encryption.ts)', () => {
  it('TOK-8: approved algorithms pass, and an API without encrypt is not looked at', () => {
    assert.deepEqual(tokenEncryption.checkDeployment?.(withApis(api(undefined), api({ jwk: { kty: 'EC' }, alg: 'ECDH-ES', enc: 'A256GCM' }))), []);
  });

  it('TOK-8: an unapproved key-management or content-encryption algorithm is refused at its field, naming the approved ones', () => {
    assert.deepEqual(tokenEncryption.checkDeployment?.(withApis(api(undefined), api({ jwk: { kty: 'RSA' }, alg: 'RSA1_5', enc: 'A128CBC-HS256' }))), [
      { field: 'resourceServers[1].encrypt.alg', message: 'use one of RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW', rule: 'TOK-8' },
      { field: 'resourceServers[1].encrypt.enc', message: 'use one of A128GCM, A256GCM', rule: 'TOK-8' },
    ]);
  });
});
