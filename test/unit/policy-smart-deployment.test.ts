// OIDC-9, GR-6: the SMART parts of a deployment file, checked before start-up
// (src/policy/smart-deployment.ts): a FHIR server's SMART-shaped scopes must parse, the demo
// FHIR API is development-only and served at <issuer>/demo/fhir, EHR launchers are
// confidential clients with client_credentials, and fhirUser claims are FHIR references.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { resolveConfig } from '../../src/config/load.js';
import { configSchema, type RawConfig } from '../../src/config/schema.js';
import { checkSmartDeployment } from '../../src/policy/smart-deployment.js';

const ISSUER = 'http://127.0.0.1:3000';
function config(raw: Partial<RawConfig> = {}, patch: Partial<Config> = {}): Config {
  const parsed = configSchema.parse({ mode: 'development', issuer: ISSUER, ...raw });
  return { ...resolveConfig(parsed, 'test', process.cwd(), {}), ...patch };
}
type Api = RawConfig['resourceServers'] extends (infer A)[] | undefined ? A : never;
const fhirApi = (patch: Partial<Api> = {}): Api => ({
  identifier: 'https://fhir.example.health/r4',
  classification: 'SENSITIVE',
  fhir: {},
  scopes: { 'patient/Observation.rs': 'Read your test results' },
  ...patch,
});
const demoApi = (identifier = `${ISSUER}/demo/fhir`): Api => fhirApi({ identifier, classification: 'IN-CONFIDENCE', fhir: { demo: true } });
const ehr = { client_id: 'ehr', classification: 'SENSITIVE', token_endpoint_auth_method: 'private_key_jwt', grant_types: ['client_credentials'], redirect_uris: [] };
const account = (claims: Record<string, unknown>) => ({ id: 'p', username: 'p', passwordHash: 'scrypt$unused', claims });

describe('SMART deployment checks (OIDC-9)', () => {
  it('OIDC-9: a FHIR server\'s SMART-shaped scope that does not parse is refused by field; other scopes pass', () => {
    const c = config({ resourceServers: [fhirApi({ scopes: { 'patient/Observation.rs': 'ok', 'patient/observation.read': 'lower-case type', 'records.read': 'not SMART-shaped' } })] });
    assert.deepEqual(checkSmartDeployment(c), [
      { field: 'resourceServers[0].scopes', message: '"patient/observation.read" is not a SMART scope (context/Type.cruds, or v1 .read/.write)', rule: 'OIDC-9' },
    ]);
  });

  it('OIDC-9: an API that is not a FHIR server is not read as SMART, however its scopes look', () => {
    const { fhir: _notFhir, ...plain } = fhirApi({ scopes: { 'patient/observation.read': 'odd, but not a FHIR server' } });
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [plain] })), []);
  });

  it('OIDC-9: the demo FHIR API is refused outside development mode', () => {
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [demoApi()] })), []);
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [demoApi()] }, { mode: 'production' })), [
      { field: 'resourceServers[0].fhir.demo', message: 'the demo FHIR API is for development mode only', rule: 'OIDC-9' },
    ]);
  });

  it('OIDC-9: the demo FHIR API\'s identifier must be where the IdP serves it (a trailing slash on either side is the same URL)', () => {
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [demoApi(`${ISSUER}/demo/fhir/`)] })), []);
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [demoApi()] }, { issuer: `${ISSUER}/` })), []);
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [fhirApi(), demoApi(`${ISSUER}/fhir`)] })), [
      { field: 'resourceServers[1].identifier', message: `the demo FHIR API is served at ${ISSUER}/demo/fhir: use that as its identifier`, rule: 'OIDC-9' },
    ]);
    // A real FHIR server may live anywhere.
    assert.deepEqual(checkSmartDeployment(config({ resourceServers: [fhirApi({ identifier: `${ISSUER}/fhir` })] }, { mode: 'production' })), []);
  });

  it('OIDC-9, GR-6: an EHR launcher is a known, confidential client with the client_credentials grant', () => {
    const check = (clients: Record<string, unknown>[], launchers: string[]) =>
      checkSmartDeployment(config({}, { clients: clients as Config['clients'], smart: { ...config().smart, ehrLaunchers: launchers } }));
    assert.deepEqual(check([ehr], ['ehr']), []);
    assert.deepEqual(check([ehr], ['ehr', 'nobody']), [{ field: 'smart.ehrLaunchers[1]', message: '"nobody" is not a client in clients[]', rule: 'OIDC-9' }]);
    assert.deepEqual(check([{ ...ehr, token_endpoint_auth_method: 'none' }], ['ehr']), [
      { field: 'smart.ehrLaunchers[0]', message: '"ehr" is a public client; an EHR that posts launch contexts must authenticate', rule: 'GR-6' },
    ]);
    const needsGrant = [{ field: 'smart.ehrLaunchers[0]', message: '"ehr" must have the client_credentials grant: it gets the token it posts to /smart/launch that way', rule: 'OIDC-9' }];
    assert.deepEqual(check([{ ...ehr, grant_types: ['authorization_code'] }], ['ehr']), needsGrant);
    const { grant_types: _none, ...noGrants } = ehr;
    assert.deepEqual(check([noGrants], ['ehr']), needsGrant);
  });

  it('OIDC-9: an account\'s fhirUser claim must be a FHIR reference; accounts without one pass', () => {
    const check = (claims: Record<string, unknown>[]) => checkSmartDeployment(config({}, { accounts: claims.map(account) }));
    assert.deepEqual(check([{ fhirUser: 'Patient/p-1' }, { fhirUser: 'Practitioner/pr.2' }, { name: 'no fhirUser' }]), []);
    const wrong = (i: number) => ({ field: `accounts[${i}].claims.fhirUser`, message: 'must be a FHIR reference such as Patient/123 or Practitioner/abc', rule: 'OIDC-9' });
    assert.deepEqual(check([{ fhirUser: 'Patient/p-1' }, { fhirUser: 'https://fhir.example/Patient/1' }, { fhirUser: 42 }]), [wrong(1), wrong(2)]);
  });
});
