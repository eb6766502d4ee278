// The test deployment's clients, one of each kind the profiles allow.
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
