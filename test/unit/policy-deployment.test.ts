// The whole deployment against the guideline (src/policy/deployment.ts), on parsed
// configurations changed one field at a time: each check both ways, each problem naming
// its field and rule.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/load.js';
import { configSchema, type RawConfig } from '../../src/config/schema.js';
import { checkDeployment, clientCheckContext, profileOptions } from '../../src/policy/deployment.js';

const API = 'https://api.example.health/';
function config(raw: Partial<RawConfig> = {}, patch: Partial<Config> = {}): Config {
  const parsed = configSchema.parse({ mode: 'development', issuer: 'http://127.0.0.1:3000', ...raw });
  return { ...resolveConfig(parsed, 'test', process.cwd(), {}), ...patch };
}
const problems = (c: Config) => checkDeployment(c).problems.map((p) => `${p.field}${p.rule ? ` ${p.rule}` : ''}`);
/** development mode, made production for the checks that differ (secrets are not looked at here); one declared instance on the memory store */
const production = (raw: Partial<RawConfig> = {}, patch: Partial<Config> = {}) =>
  config({ store: { type: 'memory', singleInstance: true }, ...raw }, { mode: 'production', issuer: 'https://id.example.health', proxy: true, ...patch });
const web = { client_id: 'web', classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post', redirect_uris: ['https://rp.example/cb'] };

describe('deployment against the guideline', () => {
  it('a development deployment and a production one behind a TLS proxy pass', () => {
    assert.deepEqual(problems(config()), []);
    assert.deepEqual(problems(production()), []);
  });

  it('EP-11: production needs an https issuer, and TLS here or a proxy; development needs neither', () => {
    assert.deepEqual(problems(production({}, { issuer: 'http://id.example.health' })), ['issuer EP-11']);
    assert.deepEqual(problems(production({}, { proxy: false })), ['tls EP-11']);
    assert.deepEqual(problems(production({}, { proxy: false, tls: { certFile: 'c', keyFile: 'k' } })), []);
    assert.deepEqual(problems(config({}, { proxy: false })), []);
  });

  it('the demo relying party is refused in production, saying why, and allowed in development', () => {
    assert.deepEqual(checkDeployment(production({}, { demo: { enabled: true } })).problems, [{ field: 'demo.enabled', message: 'the demo relying party is for development mode only' }]);
    assert.deepEqual(problems(config({}, { demo: { enabled: true } })), []);
  });

  it('EP-2: mTLS needs TLS here or a proxy header; a proxy header needs the proxies it is trusted from', () => {
    const mtls = (m: Partial<Config['mtls']>, patch: Partial<Config> = {}) => config({}, { mtls: { enabled: true, trustedProxies: [], ...m }, ...patch });
    assert.deepEqual(problems(mtls({})), ['mtls EP-2']);
    assert.deepEqual(problems(mtls({}, { tls: { certFile: 'c', keyFile: 'k' } })), []);
    assert.deepEqual(problems(mtls({ proxyHeader: 'x-client-cert' })), ['mtls.trustedProxies EP-2']);
    assert.deepEqual(problems(mtls({ proxyHeader: 'x-client-cert', trustedProxies: ['10.0.0.1'] })), []);
    assert.deepEqual(problems(config({}, { mtls: { enabled: false, trustedProxies: [] } })), [], 'mTLS off: nothing asked');
  });

  it('deviations: an unknown rule and a MUST are refused; a SHOULD is accepted', () => {
    const deviation = (rule: string) => ({ rule, setting: 'lifetimes.accessToken', reason: 'a documented business need' });
    const c = config({ deviations: [deviation('TOK-9'), deviation('GR-99'), deviation('TOK-3')] });
    assert.deepEqual(checkDeployment(c).problems, [
      { field: 'deviations[0].rule', message: 'TOK-9 is a MUST and cannot be waived', rule: 'TOK-9' },
      { field: 'deviations[1].rule', message: 'GR-99 is not a rule of the guideline' },
    ]);
  });

  it('TOK-9: ID-token algorithms must be approved (RS256 listed there is its own opt-in); HMAC, none and unknown ones are refused', () => {
    const algs = (idToken: string[], accessToken = 'ES256') => problems(config({ algorithms: { idToken, accessToken } }));
    assert.deepEqual(algs(['ES256', 'RS256']), []);
    assert.deepEqual(algs(['ES256', 'HS256', 'none', 'XX1']), ['algorithms.idToken[1] TOK-9', 'algorithms.idToken[2] TOK-9', 'algorithms.idToken[3] TOK-9']);
  });

  it('TOK-9: the access-token algorithm must be approved, or RSA opted in through the ID-token list', () => {
    assert.deepEqual(problems(config({ algorithms: { idToken: ['ES256'], accessToken: 'HS256' } })), ['algorithms.accessToken TOK-9']);
    assert.deepEqual(problems(config({ algorithms: { idToken: ['ES256'], accessToken: 'RS256' } })), ['algorithms.accessToken TOK-9'], 'RS256 is not opted in by naming it for access tokens');
    assert.deepEqual(problems(config({ algorithms: { idToken: ['ES256', 'RS256'], accessToken: 'RS256' } })), []);
  });

  it('TOK-1, TOK-3: lifetime problems are part of the deployment check', () => {
    assert.deepEqual(problems(config({ lifetimes: { accessToken: 3600, authorizationCode: 601 } })), ['lifetimes.accessToken TOK-3', 'lifetimes.authorizationCode TOK-1']);
  });

  it('APIs: an identifier listed twice, a signing algorithm not enabled, TOK-8 encryption outside the approved list', () => {
    const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
    const c = config({
      resourceServers: [
        { identifier: API, classification: 'PUBLIC', scopes: {} },
        { identifier: API, classification: 'PUBLIC', scopes: {}, signingAlg: 'HS256' },
        { identifier: 'https://b.example/', classification: 'SENSITIVE', scopes: {}, signingAlg: 'PS256', encrypt: { jwk, alg: 'RSA1_5', enc: 'A128CBC-HS256' } },
        { identifier: 'https://c.example/', classification: 'SENSITIVE', scopes: {}, encrypt: { jwk, alg: 'ECDH-ES', enc: 'A256GCM' } },
      ],
    });
    assert.deepEqual(problems(c), ['resourceServers[1].identifier', 'resourceServers[1].signingAlg TOK-9', 'resourceServers[2].encrypt.alg TOK-8', 'resourceServers[2].encrypt.enc TOK-8']);
    assert.deepEqual(checkDeployment(c).problems.map((p) => p.message).slice(0, 1), ['is listed twice']);
    assert.deepEqual(checkDeployment(c).problems.map((p) => p.message).slice(2), ['use one of RSA-OAEP-256, ECDH-ES, ECDH-ES+A128KW, ECDH-ES+A256KW', 'use one of A128GCM, A256GCM']);
  });

  it('clients: each problem names the client and its index; a client_id listed twice is refused; the profile is applied', () => {
    const c = config({ clients: [web, { ...web, token_endpoint_auth_method: 'none' }, { client_id: 'svc' }] });
    const result = checkDeployment(c);
    assert.deepEqual(result.problems, [
      { field: 'clients[1].client_id', message: '"web" is listed twice' },
      { field: 'clients[1].token_endpoint_auth_method', message: 'client "web": a IN-CONFIDENCE client must be confidential; "none" makes it public', rule: 'GR-2' },
      { field: 'clients[2].classification', message: 'client "svc": must be one of PUBLIC, IN-CONFIDENCE, SENSITIVE (the most sensitive API class the client may call)', rule: 'GR-2' },
    ]);
    assert.deepEqual(result.clients[0]?.response_types, ['code id_token'], 'the profile filled in the response types');
    assert.deepEqual(result.clients[2], { client_id: 'svc' }, 'an unclassified client is passed on as it is');
  });

  it('the deployment switches reach the profiles: each feature and the GR-4 deviation, on and off', () => {
    assert.deepEqual(profileOptions(config()), { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false });
    const on = config({
      features: { implicitForPublic: true, parForInConfidence: true, senderConstrainedInConfidence: true },
      deviations: [{ rule: 'GR-4', setting: 'clients', reason: 'a documented business need' }],
    });
    assert.deepEqual(profileOptions(on), { implicitForPublic: true, codeForConfidential: true, parForInConfidence: true, senderConstrainedInConfidence: true });
    // and so the clients: an unbound IN-CONFIDENCE client is refused when sender constraint is on
    assert.deepEqual(problems(config({ clients: [web], features: { senderConstrainedInConfidence: true } })), ['clients[0].dpop_bound_access_tokens EP-2']);
  });

  it('EP-2, EP-9: the client checks see the deployment\'s mode, algorithms, mTLS, its CAs and CIBA', () => {
    const dev = clientCheckContext(config({ algorithms: { idToken: ['ES256', 'HS256', 'RS256'], accessToken: 'ES256' } }));
    assert.equal(dev.development, true);
    assert.deepEqual(dev.signingAlgs, ['ES256', 'RS256']);
    assert.deepEqual(dev.mtls, { enabled: false, trustedCas: false });
    assert.equal(dev.ciba, false);
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const prod = clientCheckContext(production({ features: { ciba: true } }, { mtls: { enabled: true, trustedProxies: [] }, tlsMaterial: { clientCas: pem } }));
    assert.equal(prod.development, false);
    assert.deepEqual(prod.mtls, { enabled: true, trustedCas: true });
    assert.equal(prod.ciba, true);
    assert.deepEqual(clientCheckContext(production({}, { tlsMaterial: { clientCas: 'not a certificate' } })).mtls.trustedCas, false);
  });
});
