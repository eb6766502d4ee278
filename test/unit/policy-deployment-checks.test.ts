// Deployment checks (src/policy/deployment.ts) that only whole-IdP tests reached before:
// built-in scopes a file cannot redefine (OIDC-3), a typo in a static client's metadata, a
// guessable client secret (EP-2) refused in production and warned about in development, and
// the algorithms the signing keys must serve (TOK-9).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/load.js';
import { configSchema, type RawConfig } from '../../src/config/schema.js';
import { signingAlgsInUse } from '../../src/policy/algorithms.js';
import { checkDeployment } from '../../src/policy/deployment.js';

function config(raw: Partial<RawConfig> = {}, patch: Partial<Config> = {}): Config {
  const parsed = configSchema.parse({ mode: 'development', issuer: 'http://127.0.0.1:3000', ...raw });
  return { ...resolveConfig(parsed, 'test', process.cwd(), {}), ...patch };
}
const production = (raw: Partial<RawConfig> = {}) =>
  config({ store: { type: 'memory', singleInstance: true }, ...raw }, { mode: 'production', issuer: 'https://id.example.health', proxy: true });
const scope = (claims: string[]) => ({ description: 'a scope', claims, optional: false });
const RANDOM_SECRET = 'k7Qz2mW9xR4tY8vB1nC6pL3sD5fG0hJa';
const web = { client_id: 'web', classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', redirect_uris: ['https://rp.example/cb'] };

describe('deployment checks', () => {
  it('OIDC-3: openid and offline_access cannot be redefined by the file; other identity scopes can be', () => {
    const c = config({}, { scopes: { ...config().scopes, openid: scope(['nhi']), offline_access: scope(['email']) } });
    assert.deepEqual(checkDeployment(c).problems, [
      { field: 'scopes.openid', message: '"openid" is built in and cannot be redefined', rule: 'OIDC-3' },
      { field: 'scopes.offline_access', message: '"offline_access" is built in and cannot be redefined', rule: 'OIDC-3' },
    ]);
    assert.deepEqual(checkDeployment(config({}, { scopes: { ...config().scopes, lab: scope(['email']) } })).problems, []);
  });

  it('a static client\'s unknown metadata field (a typo such as redirect_uri) is refused by name', () => {
    const c = config({}, { clients: [{ ...web, client_secret: RANDOM_SECRET, redirect_uri: 'https://rp.example/cb' }] });
    assert.deepEqual(checkDeployment(c).problems, [
      { field: 'clients[0].redirect_uri', message: 'client "web": unknown client metadata (a typo? e.g. redirect_uris, not redirect_uri)' },
    ]);
  });

  it('EP-2: a guessable client secret stops a production start-up and is a warning in development, never echoed', () => {
    const weak = 'secretsecretsecretsecretsecret12';
    const clients = [{ ...web, client_secret: weak }];
    const expected = { field: 'clients[0].client_secret', message: 'client "web": is visibly not random (a repeated pattern or too few distinct characters)', rule: 'EP-2' };
    const prod = checkDeployment(production({ clients }));
    assert.deepEqual(prod.problems, [expected]);
    assert.deepEqual(prod.warnings, []);
    const dev = checkDeployment(config({ clients }));
    assert.deepEqual(dev.problems, []);
    assert.deepEqual(dev.warnings, [expected]);
    assert.ok(!JSON.stringify([prod, dev].map((r) => [r.problems, r.warnings])).includes(weak));
    const fine = checkDeployment(production({ clients: [{ ...web, client_secret: RANDOM_SECRET }] }));
    assert.deepEqual([fine.problems, fine.warnings], [[], []]);
  });

  it('TOK-9: the signing keys serve the ID-token algorithms, the access-token one and each API\'s, each once', () => {
    const c = config({}, {
      algorithms: { ...config().algorithms, idToken: ['PS256', 'ES256'], accessToken: 'ES256' },
      resourceServers: [
        { ...config({ resourceServers: [{ identifier: 'https://api.test/a', classification: 'PUBLIC', scopes: {} }] }).resourceServers[0]!, signingAlg: 'PS256' },
        { ...config({ resourceServers: [{ identifier: 'https://api.test/b', classification: 'PUBLIC', scopes: {} }] }).resourceServers[0]!, signingAlg: 'ES384' },
      ],
    });
    assert.deepEqual(signingAlgsInUse(c), ['PS256', 'ES256', 'ES384']);
  });
});
