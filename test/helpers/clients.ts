// The test deployment's clients, one of each kind the profiles allow.
import { exportJWK, generateKeyPair } from 'jose';
import * as oidc from 'openid-client';
import { REDIRECT } from './fixtures.js';
import type { TestClient } from './rp.js';

export const WEB_SECRET = 'web-client-secret-that-is-long-enough-0123456789';
export const SERVICE_SECRET = 'service-client-secret-long-enough-0123456789abc';

export const web: TestClient = {
  metadata: {
    client_id: 'web',
    client_name: 'Clinic portal',
    classification: 'IN-CONFIDENCE',
    client_secret: WEB_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    response_types: ['code id_token'],
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [REDIRECT],
  },
  auth: oidc.ClientSecretPost(WEB_SECRET),
  hybrid: true,
};

export const spa: TestClient = {
  metadata: {
    client_id: 'spa',
    client_name: 'Appointments app',
    classification: 'PUBLIC',
    token_endpoint_auth_method: 'none',
    response_types: ['code'],
    grant_types: ['authorization_code'],
    redirect_uris: [REDIRECT],
  },
  auth: oidc.None(),
};

export const service: TestClient = {
  metadata: {
    client_id: 'service',
    client_name: 'Lab system',
    classification: 'IN-CONFIDENCE',
    client_secret: SERVICE_SECRET,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  auth: oidc.ClientSecretPost(SERVICE_SECRET),
};

export const staticClients = [web, spa, service].map((c) => c.metadata);

// SENSITIVE: asymmetric client authentication, DPoP-bound tokens, PAR (GR-8, EP-2).
const sensitiveKeys = await generateKeyPair('ES256', { extractable: true });
export const sensitive: TestClient = {
  metadata: {
    client_id: 'records',
    client_name: 'Records service',
    classification: 'SENSITIVE',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [{ ...(await exportJWK(sensitiveKeys.publicKey)), alg: 'ES256', use: 'sig', kid: 'records-1' }] },
    response_types: ['code id_token'],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    redirect_uris: [REDIRECT],
    dpop_bound_access_tokens: true,
  },
  auth: oidc.PrivateKeyJwt(sensitiveKeys.privateKey),
  hybrid: true,
};

export const allClients = [web, spa, service, sensitive].map((c) => c.metadata);
