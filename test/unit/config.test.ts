// The deployment file: a good file loads; each kind of bad file stops start-up with one
// message per problem naming the field (and the rule, where a rule is behind it).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { staticClients } from '../helpers/clients.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';
import { KEY32, PRODUCTION_JWKS, RANDOM_TEXT } from '../helpers/production.js';

const dir = mkdtempSync(join(tmpdir(), 'idp-config-'));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function problemsOf(fn: () => unknown): ConfigError['problems'] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.doesNotMatch(err.format(), /\n\s+at /, 'no stack trace in the message');
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

const key32 = KEY32;
const production = {
  mode: 'production',
  issuer: 'https://id.example.health',
  proxy: true,
  keys: { signing: { jwks: PRODUCTION_JWKS } },
  store: { type: 'memory', singleInstance: true },
  secrets: { cookieKeys: [{ env: 'IDP_COOKIE_KEY' }], sealingKeys: [{ kid: 'k1', key: { env: 'IDP_SEALING_KEY' } }], lookupKey: { env: 'IDP_LOOKUP_KEY' } },
};
const productionEnv = { IDP_COOKIE_KEY: RANDOM_TEXT, IDP_SEALING_KEY: key32, IDP_LOOKUP_KEY: key32 };

describe('deployment file', () => {
  it('the shipped development file loads and passes the policy', () => {
    const config = loadConfig('config/development.json', { env: {} });
    assert.equal(config.mode, 'development');
    assert.equal(config.secrets.ephemeral, true);
    assert.deepEqual(checkDeployment(config).problems, []);
  });

  it('a production file with secrets from the environment loads', () => {
    const config = loadConfig(file('prod.json', production), { env: productionEnv });
    assert.equal(config.secrets.cookieKeys[0], RANDOM_TEXT);
    assert.equal(config.secrets.sealingKeys[0]?.kid, 'k1');
  });

  it('PORT, ISSUER and REDIS_URL override the file', () => {
    const withNonceKey = { ...production, secrets: { ...production.secrets, dpopNonceKey: { env: 'IDP_DPOP_NONCE_KEY' } } };
    const config = loadConfig(file('prod-env.json', withNonceKey), { env: { ...productionEnv, IDP_DPOP_NONCE_KEY: key32, PORT: '8443', ISSUER: 'https://other.example', REDIS_URL: 'redis://127.0.0.1:6390' } });
    assert.equal(config.port, 8443);
    assert.equal(config.issuer, 'https://other.example');
    assert.deepEqual(config.store, { type: 'redis', url: 'redis://127.0.0.1:6390', keyPrefix: 'idp:' });
  });

  it('EP-2: production on Redis needs a shared DPoP nonce key', () => {
    const problems = problemsOf(() => loadConfig(file('prod-redis.json', production), { env: { ...productionEnv, REDIS_URL: 'redis://127.0.0.1:6390' } }));
    assert.deepEqual(problems.map((p) => [p.field, p.rule]), [['secrets.dpopNonceKey', 'EP-2']]);
  });

  it('a file that is not JSON names the file', () => {
    const [p] = problemsOf(() => loadConfig(file('bad.json', '{ "issuer": '), { env: {} }));
    assert.match(p?.message ?? '', /not valid JSON/);
  });

  it('a missing file is named', () => {
    const [p] = problemsOf(() => loadConfig(join(dir, 'nope.json'), { env: {} }));
    assert.match(p?.message ?? '', /cannot read/);
  });

  it('wrong types and unknown fields are each reported with their path', () => {
    const problems = problemsOf(() => loadConfig(file('types.json', { issuer: 'not a url', port: 'eighty', colour: 'blue', lifetimes: { accessToken: -5 } }), { env: {} }));
    const fields = problems.map((p) => p.field);
    assert.ok(fields.includes('issuer'));
    assert.ok(fields.includes('port'));
    assert.ok(fields.includes('lifetimes.accessToken'));
    assert.ok(problems.some((p) => /colour/.test(p.message) || p.field === 'colour'), 'unknown key reported');
  });

  it('production mode needs secrets and keys, and names the rule', () => {
    const problems = problemsOf(() => loadConfig(file('prod-bare.json', { mode: 'production', issuer: 'https://id.example' }), { env: {} }));
    assert.deepEqual(problems.map((p) => [p.field, p.rule]), [['secrets', 'TOK-2'], ['keys.signing', 'EP-7']]);
  });

  it('a secret from an unset environment variable is named, without any value', () => {
    const problems = problemsOf(() => loadConfig(file('prod-noenv.json', production), { env: { ...productionEnv, IDP_SEALING_KEY: '' } }));
    assert.deepEqual(problems.map((p) => p.field), ['secrets.sealingKeys[0].key']);
    assert.match(problems[0]?.message ?? '', /IDP_SEALING_KEY is not set/);
  });

  it('a sealing key of the wrong length is refused (TOK-2)', () => {
    const problems = problemsOf(() => loadConfig(file('prod-short.json', production), { env: { ...productionEnv, IDP_SEALING_KEY: 'c2hvcnQ' } }));
    assert.equal(problems[0]?.rule, 'TOK-2');
    assert.doesNotMatch(problems[0]?.message ?? '', /c2hvcnQ/, 'the secret is not echoed');
  });

  it('EP-11: production needs TLS here or at a trusted proxy', () => {
    const config = loadConfig(file('prod-notls.json', { ...production, proxy: false }), { env: productionEnv });
    assert.deepEqual(checkDeployment(config).problems.map((p) => [p.field, p.rule]), [['tls', 'EP-11']]);
  });

  it('EP-11: a production issuer must be https', () => {
    const config = loadConfig(file('prod-http.json', { ...production, issuer: 'http://id.example.health' }), { env: productionEnv });
    const problems = checkDeployment(config).problems;
    assert.deepEqual(problems.map((p) => [p.field, p.rule]), [['issuer', 'EP-11']]);
  });

  it('a deviation from a MUST is refused; an unknown rule is refused', () => {
    const config = configFrom(testRawConfig('http://127.0.0.1:1', {
      deviations: [
        { rule: 'TOK-2', setting: 'store', reason: 'we would rather not encrypt' },
        { rule: 'TOK-99', setting: 'x', reason: 'a rule that does not exist' },
      ],
    }));
    const problems = checkDeployment(config).problems;
    assert.deepEqual(problems.map((p) => p.field), ['deviations[0].rule', 'deviations[1].rule']);
  });

  it('the test deployment with its clients passes', () => {
    const config = configFrom(testRawConfig('http://127.0.0.1:1', { clients: staticClients }));
    assert.deepEqual(checkDeployment(config).problems, []);
  });
});

describe('development conveniences', () => {
  it('PORT moves a loopback issuer in development mode', () => {
    const config = loadConfig('config/development.json', { env: { PORT: '4100' } });
    assert.equal(config.port, 4100);
    assert.equal(config.issuer, 'http://localhost:4100');
  });
});
