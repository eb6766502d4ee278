// The demo relying party's three clients, one per classification, made up at start-up
// (development mode only): nothing secret is ever written to a file.
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import type { Classification } from '../config/schema.js';

export interface DemoClient {
  classification: Classification;
  label: string;
  metadata: Record<string, unknown> & { client_id: string };
  secret?: string;
  privateKey?: CryptoKey;
  /** what the demo asks for */
  scope: string;
  resource?: string;
  par: boolean;
  dpop: boolean;
  hybrid: boolean;
  /** OIDC-9: a SMART app of the demo, launching against the demo FHIR API at `fhir` */
  smart?: { app: 'patient' | 'clinician'; fhir: string };
}

/**
 * OIDC-9: the demo's two SMART apps (standalone launch, `aud` = the demo FHIR API): a
 * patient app reading the person's own results and a clinician app whose user picks the
 * patient. Confidential web apps as SMART's asymmetric profile has them (ES384
 * private_key_jwt), with `code id_token` as GR-4 asks of IN-CONFIDENCE clients.
 */
export async function makeSmartDemoClients(issuer: string, fhir: string): Promise<DemoClient[]> {
  const base = issuer.replace(/\/$/, '');
  const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: 'ES384', use: 'sig', kid: 'demo-smart' };
  const app = (id: string, name: string, label: string, smart: 'patient' | 'clinician', scope: string): DemoClient => ({
    classification: 'IN-CONFIDENCE',
    label,
    metadata: {
      client_id: id,
      client_name: name,
      application_type: 'native',
      classification: 'IN-CONFIDENCE',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES384',
      jwks: { keys: [jwk] },
      response_types: ['code id_token'],
      grant_types: ['authorization_code'],
      redirect_uris: [`${base}/demo/callback`],
      post_logout_redirect_uris: [`${base}/demo`],
    },
    privateKey,
    scope,
    par: false,
    dpop: false,
    hybrid: true,
    smart: { app: smart, fhir },
  });
  return [
    app('demo-smart-patient', 'Demo SMART patient app', 'A patient app (standalone launch): reads your own test results from the demo FHIR API', 'patient', 'openid fhirUser launch/patient patient/Patient.rs patient/Observation.rs'),
    app('demo-smart-clinician', 'Demo SMART clinician app', 'A clinician app (standalone launch): you choose a patient, it reads their test results from the demo FHIR API', 'clinician', 'openid fhirUser launch/patient user/Patient.rs user/Observation.rs'),
  ];
}

export async function makeDemoClients(issuer: string, apis: Partial<Record<Classification, string>>): Promise<DemoClient[]> {
  const base = issuer.replace(/\/$/, '');
  const redirect = `${base}/demo/callback`;
  const secret = randomBytes(32).toString('base64url');
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid: 'demo-sensitive' };

  return [
    {
      classification: 'PUBLIC',
      label: 'A public app (single-page or native): code + PKCE, no secret',
      metadata: {
        client_id: 'demo-public',
        client_name: 'Demo public app',
        classification: 'PUBLIC',
        token_endpoint_auth_method: 'none',
        response_types: ['code'],
        grant_types: ['authorization_code'],
        redirect_uris: [redirect],
        post_logout_redirect_uris: [`${base}/demo`],
      },
      scope: 'openid profile email',
      resource: apis.PUBLIC,
      par: false,
      dpop: false,
      hybrid: false,
    },
    {
      classification: 'IN-CONFIDENCE',
      label: 'A confidential web app: code id_token (hybrid) + PKCE, client secret, refresh tokens',
      metadata: {
        client_id: 'demo-in-confidence',
        client_name: 'Demo clinic portal',
        // The library refuses http and localhost redirect URIs for web clients of hybrid
        // flows; the demo runs on the developer's loopback, which is what native allows.
        application_type: 'native',
        classification: 'IN-CONFIDENCE',
        token_endpoint_auth_method: 'client_secret_post',
        client_secret: secret,
        response_types: ['code id_token'],
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [redirect],
        post_logout_redirect_uris: [`${base}/demo`],
      },
      secret,
      scope: 'openid profile email nhi offline_access',
      resource: apis['IN-CONFIDENCE'],
      par: false,
      dpop: false,
      hybrid: true,
    },
    {
      classification: 'SENSITIVE',
      label: 'A sensitive-data service: PAR, private_key_jwt, DPoP-bound tokens, hybrid + PKCE',
      metadata: {
        client_id: 'demo-sensitive',
        client_name: 'Demo health records service',
        application_type: 'native',
        classification: 'SENSITIVE',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [jwk] },
        response_types: ['code id_token'],
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [redirect],
        post_logout_redirect_uris: [`${base}/demo`],
        dpop_bound_access_tokens: true,
        require_pushed_authorization_requests: true,
      },
      privateKey,
      scope: 'openid profile nhi offline_access',
      resource: apis.SENSITIVE,
      par: true,
      dpop: true,
      hybrid: true,
    },
  ];
}
