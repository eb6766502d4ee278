// Policy as executors (src/policy/README.md): profiles are data that list executors, each
// executor owns its rules' line in the compliance report, and the per-event entry points
// (CIBA request, token request, FAPI choice, refresh tokens, DPoP nonces) decide as the
// guideline says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { complianceReport } from '../../src/compliance/report.js';
import type { ResourceServerConfig } from '../../src/config/schema.js';
import type { Config } from '../../src/config/load.js';
import { CLASSIFICATIONS, EXECUTOR_NAMES, PROFILES, type ProfileOptions } from '../../src/policy/classification.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { CIBA_GRANT } from '../../src/policy/executors/ciba.js';
import { personScopeContext } from '../../src/policy/executors/client-credentials.js';
import { mayIssueRefreshToken } from '../../src/policy/executors/grants.js';
import { fapiProfileFor } from '../../src/policy/executors/id-token-hashes.js';
import { ALL_EXECUTORS, CLIENT_EXECUTORS, executorsFor, ownerOf, START_UP_EXECUTORS } from '../../src/policy/executors/index.js';
import { tls } from '../../src/policy/executors/tls.js';
import { dpopNonceRequired } from '../../src/policy/executors/sender-constraint.js';
import { checkCibaRequest, checkTokenRequest } from '../../src/policy/requests.js';
import { RULE_IDS } from '../../src/policy/rules.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const options: ProfileOptions = { implicitForPublic: false, codeForConfidential: false, parForInConfidence: false, senderConstrainedInConfidence: false };

describe('profiles list executors', () => {
  it('every profile lists known executors, each once, in the registry order', () => {
    assert.deepEqual(Object.keys(CLIENT_EXECUTORS), [...EXECUTOR_NAMES]);
    for (const c of CLASSIFICATIONS) {
      const names = PROFILES[c].executors;
      assert.equal(new Set(names).size, names.length, `${c} lists an executor twice`);
      assert.deepEqual(executorsFor(c).map((e) => e.name), [...names]);
    }
  });

  it('every executor acts on some event or owns a report line', () => {
    for (const e of ALL_EXECUTORS) {
      const events = (['checkDeployment', 'fillIn', 'fillInRegistration', 'checkClient', 'authorizationRequest', 'tokenRequest', 'cibaRequest'] as const).filter((k) => k in e);
      assert.ok(events.length > 0 || e.report.length > 0, `${e.name} does nothing`);
    }
  });
});

describe('each rule has one executor that owns its report line', () => {
  it('executors report rules of the catalogue only, and no rule twice', () => {
    const seen = new Map<string, string>();
    for (const e of ALL_EXECUTORS) {
      for (const { rule, mechanism } of e.report) {
        assert.ok(RULE_IDS.has(rule), `${e.name} reports ${rule}, not a rule of the catalogue`);
        assert.ok(!seen.has(rule), `${rule} is reported by ${seen.get(rule)} and ${e.name}`);
        assert.ok(mechanism.includes('src/policy/executors/') || mechanism.includes('src/policy/'), `${e.name}'s ${rule} line names no module`);
        seen.set(rule, e.name);
      }
    }
  });

  it('GR-8: the report line is the pkce executor\'s, word for word', () => {
    assert.equal(ownerOf('GR-8')?.executor.name, 'pkce');
    const config = configFrom(testRawConfig('http://localhost:3000'));
    const report = complianceReport(config, checkDeployment(config), { generatedAt: new Date(0) });
    const row = report.rows.find((r) => r.id === 'GR-8');
    assert.equal(row?.status, 'enforced');
    assert.equal(row?.mechanism, ownerOf('GR-8')?.line.mechanism);
  });

  it('the report shows an executor\'s line for every rule an executor owns and that holds', () => {
    const config = configFrom(testRawConfig('http://localhost:3000', { features: { ciba: true } }));
    const report = complianceReport(config, checkDeployment(config), { generatedAt: new Date(0) });
    for (const row of report.rows) {
      const owner = ownerOf(row.id);
      if (owner && row.mechanism !== null) assert.equal(row.mechanism, owner.line.mechanism, `${row.id}`);
    }
    assert.equal(report.rows.find((r) => r.id === 'EP-9')?.mechanism, ownerOf('EP-9')?.line.mechanism);
  });
});

describe('the start-up event (checkDeployment): each deployment-wide rule in its executor', () => {
  const base = () => configFrom(testRawConfig('http://localhost:3000'));
  /** the executor whose start-up check reports a problem for a field */
  const reporterOf = (config: Config, field: string) =>
    START_UP_EXECUTORS.filter((e) => (e.checkDeployment?.(config) ?? []).some((p) => p.field === field)).map((e) => e.name);

  it('EP-11, EP-2, TOK-9, TOK-1, OIDC-3, EP-5, TOK-8: the executor that owns the concern finds the problem, and only it', () => {
    const prod: Config = { ...base(), mode: 'production', issuer: 'http://id.example.health', proxy: false, tls: undefined };
    assert.deepEqual(reporterOf(prod, 'issuer'), ['tls']);
    assert.deepEqual(reporterOf(prod, 'tls'), ['tls']);
    const mtls: Config = { ...base(), mtls: { ...base().mtls, enabled: true, proxyHeader: 'x-client-cert', trustedProxies: [] } };
    assert.deepEqual(reporterOf(mtls, 'mtls.trustedProxies'), ['sender-constraint']);
    const algs: Config = { ...base(), algorithms: { ...base().algorithms, accessToken: 'HS256' } };
    assert.deepEqual(reporterOf(algs, 'algorithms.accessToken'), ['signing-algs']);
    const code: Config = { ...base(), lifetimes: { ...base().lifetimes, authorizationCode: 601 } };
    assert.deepEqual(reporterOf(code, 'lifetimes.authorizationCode'), ['lifetimes']);
    const openid: Config = { ...base(), scopes: { ...base().scopes, openid: { description: 'x', claims: ['nhi'], optional: false } } };
    assert.deepEqual(reporterOf(openid, 'scopes.openid'), ['scopes']);
    const api = base().resourceServers[0];
    assert.ok(api);
    const jwe: Config = { ...base(), resourceServers: [{ ...api, introspectionClientId: 'nobody', encrypt: { jwk: { kty: 'EC' }, alg: 'RSA1_5', enc: 'A256GCM' } }] };
    assert.deepEqual(reporterOf(jwe, 'resourceServers[0].encrypt.alg'), ['token-encryption']);
    assert.deepEqual(reporterOf(jwe, 'resourceServers[0].introspectionClientId'), ['introspection']);
  });

  it('EP-11: the TLS executor asks nothing of development, and https with a proxy or tls of production', () => {
    assert.deepEqual(tls.checkDeployment?.({ ...base(), issuer: 'http://id.example.health', proxy: false }), []);
    const prod: Config = { ...base(), mode: 'production', issuer: 'https://id.example.health', proxy: true };
    assert.deepEqual(tls.checkDeployment?.(prod), []);
    assert.deepEqual(tls.checkDeployment?.({ ...prod, proxy: false, tls: undefined })?.map((p) => `${p.field} ${p.rule}`), ['tls EP-11']);
  });
});

describe('report lines of the deployment-wide rules', () => {
  it('TOK-1, EP-3, EP-7, EP-11, TOK-8, OIDC-8 are each owned by the executor that enforces them', () => {
    assert.equal(ownerOf('TOK-1')?.executor.name, 'lifetimes');
    assert.equal(ownerOf('EP-3')?.executor.name, 'redirect-uris');
    assert.equal(ownerOf('EP-7')?.executor.name, 'signing-keys');
    assert.equal(ownerOf('EP-11')?.executor.name, 'tls');
    assert.equal(ownerOf('TOK-8')?.executor.name, 'token-encryption');
    assert.equal(ownerOf('OIDC-8')?.executor.name, 'store');
  });

  it('TOK-1 and EP-11: the report shows the executor\'s line where the rule holds, and none where it is broken', () => {
    const prod: Config = { ...configFrom(testRawConfig('http://localhost:3000')), mode: 'production', issuer: 'https://id.example.health', proxy: true };
    const rowOf = (config: Config, id: string) => complianceReport(config, checkDeployment(config), { generatedAt: new Date(0) }).rows.find((r) => r.id === id);
    assert.equal(rowOf(prod, 'TOK-1')?.mechanism, ownerOf('TOK-1')?.line.mechanism);
    assert.equal(rowOf(prod, 'EP-11')?.status, 'default');
    assert.equal(rowOf(prod, 'EP-11')?.mechanism, ownerOf('EP-11')?.line.mechanism);
    const broken = rowOf({ ...prod, proxy: false, tls: undefined }, 'EP-11');
    assert.equal(broken?.status, 'broken');
    assert.equal(broken?.mechanism, null);
  });
});

describe('CIBA request (executors/ciba.ts)', () => {
  const base = { grant_types: [CIBA_GRANT], backchannel_token_delivery_mode: 'poll' };
  it('EP-9: a confidential IN-CONFIDENCE client passes; PUBLIC and unclassified clients are refused', () => {
    assert.equal(checkCibaRequest({ ...base, classification: 'IN-CONFIDENCE', token_endpoint_auth_method: 'client_secret_post' }, options), undefined);
    assert.deepEqual(checkCibaRequest({ ...base, classification: 'PUBLIC', token_endpoint_auth_method: 'client_secret_post' }, options), {
      field: 'grant_types',
      message: 'CIBA is offered to IN-CONFIDENCE and SENSITIVE clients only',
      rule: 'EP-9',
    });
    assert.equal(checkCibaRequest({ ...base, token_endpoint_auth_method: 'private_key_jwt' }, options)?.rule, 'EP-9');
  });

  it('GR-2: a public client is refused first; EP-2: a SENSITIVE one authenticates with a key', () => {
    assert.equal(checkCibaRequest({ ...base, classification: 'SENSITIVE', token_endpoint_auth_method: 'none' }, options)?.rule, 'GR-2');
    assert.deepEqual(checkCibaRequest({ ...base, classification: 'SENSITIVE', token_endpoint_auth_method: 'client_secret_post' }, options), {
      field: 'token_endpoint_auth_method',
      message: 'a SENSITIVE CIBA client authenticates with private_key_jwt, tls_client_auth, self_signed_tls_client_auth',
      rule: 'EP-2',
    });
    assert.equal(checkCibaRequest({ ...base, classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt' }, options), undefined);
  });

  it('a client not registered for CIBA has nothing to answer for', () => {
    assert.equal(checkCibaRequest({ classification: 'PUBLIC', token_endpoint_auth_method: 'none' }, options), undefined);
  });
});

describe('token request (executors/client-credentials.ts, executors/resources.ts)', () => {
  const api: ResourceServerConfig = { identifier: 'https://api.example/s', classification: 'SENSITIVE', scopes: { 'x.read': 'x' }, personScopes: [], accessTokenFormat: 'jwt' } as unknown as ResourceServerConfig;
  const ctx = personScopeContext(['profile'], []);
  const client = (classification: unknown, allowedResources?: unknown) => ({ classification, allowedResources });

  it('GR-6: client_credentials for a person\'s scope is refused, other grants are not', () => {
    assert.equal(checkTokenRequest('IN-CONFIDENCE', { grantType: 'client_credentials', scopes: ['profile'], client: client('IN-CONFIDENCE') }, ctx)?.error, 'invalid_scope');
    assert.equal(checkTokenRequest('IN-CONFIDENCE', { grantType: 'authorization_code', scopes: ['profile'], client: client('IN-CONFIDENCE') }, ctx), undefined);
  });

  it('GR-2, GR-3, EP-10: the API must be known, within the class, and registered for', () => {
    const resource = { indicator: api.identifier, api };
    assert.equal(checkTokenRequest('SENSITIVE', { grantType: undefined, scopes: [], client: client('SENSITIVE'), resource }, ctx), undefined);
    assert.match(checkTokenRequest('IN-CONFIDENCE', { grantType: undefined, scopes: [], client: client('IN-CONFIDENCE'), resource }, ctx)?.description ?? '', /SENSITIVE API \(GR-2\)/);
    assert.match(checkTokenRequest('PUBLIC', { grantType: undefined, scopes: [], client: client('PUBLIC'), resource }, ctx)?.description ?? '', /\(GR-3\)/);
    assert.match(checkTokenRequest(undefined, { grantType: undefined, scopes: [], client: client(undefined), resource }, ctx)?.description ?? '', /\(GR-2\)/);
    assert.deepEqual(checkTokenRequest('SENSITIVE', { grantType: undefined, scopes: [], client: client('SENSITIVE', ['https://other']), resource }, ctx), {
      error: 'invalid_target',
      description: 'this client is registered for other APIs only (EP-10)',
    });
    assert.deepEqual(checkTokenRequest('SENSITIVE', { grantType: undefined, scopes: [], client: client('SENSITIVE'), resource: { indicator: 'https://nope', api: undefined } }, ctx), {
      error: 'invalid_target',
      description: 'unknown resource https://nope',
    });
  });
});

describe('library hooks decided by policy', () => {
  it('OIDC-2: hybrid requests of IN-CONFIDENCE and SENSITIVE clients run under FAPI 1.0, nothing else does', () => {
    assert.equal(fapiProfileFor('code id_token', 'SENSITIVE'), '1.0 Final');
    assert.equal(fapiProfileFor('code id_token', 'IN-CONFIDENCE'), '1.0 Final');
    assert.equal(fapiProfileFor('code id_token', 'PUBLIC'), undefined);
    assert.equal(fapiProfileFor('code', 'SENSITIVE'), undefined);
    assert.equal(fapiProfileFor('id_token token', 'SENSITIVE'), undefined);
    assert.equal(fapiProfileFor(undefined, 'SENSITIVE'), undefined);
  });

  it('TOK-5, GR-7: a refresh token only for a confidential client registered for it and granted offline_access', () => {
    const offline = new Set(['openid', 'offline_access']);
    assert.equal(mayIssueRefreshToken({ authMethod: 'private_key_jwt', refreshGrantAllowed: true }, offline), true);
    assert.equal(mayIssueRefreshToken({ authMethod: 'none', refreshGrantAllowed: true }, offline), false);
    assert.equal(mayIssueRefreshToken({ authMethod: 'private_key_jwt', refreshGrantAllowed: false }, offline), false);
    assert.equal(mayIssueRefreshToken({ authMethod: 'private_key_jwt', refreshGrantAllowed: true }, new Set(['openid'])), false);
  });

  it('EP-2: DPoP server nonces for SENSITIVE clients always, for others when the deployment lists their class', () => {
    assert.equal(dpopNonceRequired('SENSITIVE', []), true);
    assert.equal(dpopNonceRequired('IN-CONFIDENCE', []), false);
    assert.equal(dpopNonceRequired('IN-CONFIDENCE', ['IN-CONFIDENCE']), true);
    assert.equal(dpopNonceRequired(undefined, ['IN-CONFIDENCE']), false);
  });
});
