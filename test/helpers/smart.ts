// A SMART deployment for tests: the development-mode demo FHIR API as the FHIR server, a
// patient and a practitioner, a SMART app (fhirclient with ES384 private_key_jwt), an EHR
// that launches it, and a backend service. Apps are driven through the stock `fhirclient`.
import { exportJWK, generateKeyPair } from 'jose';
import smart from 'fhirclient';
import * as oidc from 'openid-client';
import type { RawConfig } from '../../src/config/schema.js';
import { createIdp, type Idp } from '../../src/server.js';
import type { AuditSink } from '../../src/ops/audit.js';
import { TEST_ACCOUNTS, TEST_APIS, REDIRECT } from './fixtures.js';
import { configFrom, freePort, testRawConfig } from './idp.js';

export type SmartClient = ReturnType<typeof smart.client>;

export const EHR_SECRET = 'ehr-client-secret-that-is-long-enough-0123456789';

const appKeys = await generateKeyPair('ES384', { extractable: true });
const backendKeys = await generateKeyPair('ES384', { extractable: true });
export const APP_PRIVATE_JWK = { ...(await exportJWK(appKeys.privateKey)), alg: 'ES384', kid: 'app-1' };
export const BACKEND_KEY = backendKeys.privateKey;

const hash = TEST_ACCOUNTS[0]?.passwordHash ?? '';
export const PASSWORD = 'alice-test-password';

export async function smartClients(): Promise<NonNullable<RawConfig['clients']>> {
  return [
    {
      client_id: 'smart-app',
      client_name: 'Growth chart',
      classification: 'IN-CONFIDENCE',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES384',
      jwks: { keys: [{ ...(await exportJWK(appKeys.publicKey)), alg: 'ES384', use: 'sig', kid: 'app-1' }] },
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [REDIRECT],
    },
    {
      client_id: 'other-app',
      client_name: 'Other app',
      classification: 'IN-CONFIDENCE',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES384',
      jwks: { keys: [{ ...(await exportJWK(appKeys.publicKey)), alg: 'ES384', use: 'sig', kid: 'app-1' }] },
      response_types: ['code'],
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
    },
    {
      client_id: 'ehr',
      client_name: 'Clinic EHR',
      classification: 'IN-CONFIDENCE',
      client_secret: EHR_SECRET,
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
    {
      client_id: 'backend',
      client_name: 'Population health service',
      classification: 'SENSITIVE',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES384',
      jwks: { keys: [{ ...(await exportJWK(backendKeys.publicKey)), alg: 'ES384', use: 'sig', kid: 'backend-1' }] },
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      dpop_bound_access_tokens: true,
    },
  ];
}

export interface SmartIdp {
  url: string;
  fhir: string;
  idp: Idp;
  close(): Promise<void>;
}

const discard: AuditSink = { write: () => undefined };

export async function startSmartIdp(patch: (url: string) => Partial<RawConfig> = () => ({})): Promise<SmartIdp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fhir = `${url}/demo/fhir`;
  const raw = testRawConfig(url, {
    port,
    demo: { enabled: false },
    accounts: [
      { ...TEST_ACCOUNTS[0], id: 'acct-alice', username: 'alice', passwordHash: hash, claims: { ...TEST_ACCOUNTS[0]?.claims, fhirUser: 'Patient/p-alice' } },
      { id: 'acct-drhine', username: 'drhine', passwordHash: hash, claims: { name: 'Dr Hine Walker', fhirUser: 'Practitioner/pr-hine' } },
    ],
    resourceServers: [
      ...TEST_APIS,
      {
        identifier: fhir,
        name: 'Demo FHIR API',
        classification: 'IN-CONFIDENCE',
        fhir: { demo: true },
        scopes: {
          'patient/Observation.rs': 'Read your test results',
          'patient/Patient.rs': 'Read your details',
          'user/Observation.rs': 'Read the test results of patients you care for',
          'user/Patient.rs': 'Read the details of patients you care for',
          'system/Observation.rs': 'Read test results (system)',
        },
      },
    ],
    smart: {
      ehrLaunchers: ['ehr'],
      patients: [
        { id: 'p-alice', name: 'Alice Ngata', birthDate: '1985-04-12', identifier: 'ZZZ0016' },
        { id: 'p-tama', name: 'Tama Rewi', birthDate: '2019-02-03', identifier: 'ZZZ0032' },
      ],
    },
    clients: await smartClients(),
    deviations: [{ rule: 'GR-4', setting: 'clients[smart-app].response_types', reason: 'SMART apps built with fhirclient send response_type=code only.' }],
    ...patch(url),
  });
  const idp = await createIdp(configFrom(raw), { auditSink: discard });
  await idp.listen(port, '127.0.0.1');
  return { url, fhir, idp, close: async () => void (await idp.close()) };
}

/** A SMART app built with the stock fhirclient (its Node adapter), as an app developer would. */
export class FhirApp {
  private readonly storage = new Map<string, unknown>();
  private readonly store = {
    get: (k: string) => Promise.resolve(this.storage.get(k)),
    set: (k: string, v: unknown) => Promise.resolve(void this.storage.set(k, v)).then(() => v),
    unset: (k: string) => Promise.resolve(this.storage.delete(k)),
  };

  constructor(readonly clientId = 'smart-app') {}

  private api(url: string) {
    const u = new URL(url);
    const req = { url: `${u.pathname}${u.search}`, headers: { host: u.host, 'x-forwarded-proto': 'https' }, method: 'GET', connection: { encrypted: true }, socket: { encrypted: true } };
    const res = { writeHead: () => undefined, end: () => undefined };
    return smart(req as never, res as never, this.store);
  }

  /**
   * fhirclient's authorize(), with the nonce EP-3 requires added to its URL (fhirclient sends
   * none by itself: config/guides/smart.md shows app developers the same two lines).
   */
  async authorize(options: { iss: string; scope: string; launch?: string; nonce?: boolean }): Promise<URL> {
    const launchUrl = `${REDIRECT.replace(/\/cb$/, '/launch')}?iss=${encodeURIComponent(options.iss)}${options.launch ? `&launch=${encodeURIComponent(options.launch)}` : ''}`;
    const href = (await this.api(launchUrl).authorize({ clientId: this.clientId, scope: options.scope, redirectUri: REDIRECT, clientPrivateJwk: APP_PRIVATE_JWK, noRedirect: true } as never)) as unknown as string;
    const url = new URL(href);
    if (options.nonce !== false) url.searchParams.set('nonce', oidc.randomNonce());
    return url;
  }

  /** fhirclient's ready(): the code exchanged, a Client for the FHIR server. */
  ready(callback: URL): Promise<SmartClient> {
    return this.api(callback.href).ready();
  }
}
