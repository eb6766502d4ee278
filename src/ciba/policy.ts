// EP-9, GR-2, GR-6: which clients may use CIBA. Pure: metadata in, problems out. Used at
// registration (src/policy/clients.ts) and again for every /bc-authorize request.
import type { Problem } from '../config/errors.js';

export const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
export const DELIVERY_MODES = ['poll', 'ping'] as const;

const ASYMMETRIC = ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'];

export function usesCiba(meta: Readonly<Record<string, unknown>>): boolean {
  return Array.isArray(meta.grant_types) && meta.grant_types.includes(CIBA_GRANT);
}

/** The problems of a client registered for the CIBA grant (none when it is not). */
export function cibaClientProblems(meta: Readonly<Record<string, unknown>>, cibaEnabled = true): Problem[] {
  if (!usesCiba(meta)) return [];
  if (!cibaEnabled) return [{ field: 'grant_types', message: 'CIBA is not enabled in this deployment (features.ciba)', rule: 'EP-9' }];
  const problems: Problem[] = [];
  const add = (field: string, message: string, rule: string) => problems.push({ field, message, rule });
  const authMethod = typeof meta.token_endpoint_auth_method === 'string' ? meta.token_endpoint_auth_method : 'client_secret_basic';
  const classification = meta.classification;

  // GR-2: the person approves elsewhere, so only a client that can keep a secret may ask.
  if (authMethod === 'none') add('token_endpoint_auth_method', 'CIBA is for confidential clients only; "none" makes the client public', 'GR-2');
  if (classification !== 'IN-CONFIDENCE' && classification !== 'SENSITIVE') {
    add('grant_types', 'CIBA is offered to IN-CONFIDENCE and SENSITIVE clients only', 'EP-9');
  }
  // GR-6 spirit: a SENSITIVE back-channel client proves itself with a key, not a shared secret.
  if (classification === 'SENSITIVE' && authMethod !== 'none' && !ASYMMETRIC.includes(authMethod)) {
    add('token_endpoint_auth_method', `a SENSITIVE CIBA client authenticates with ${ASYMMETRIC.join(', ')}`, 'EP-2');
  }
  const mode = meta.backchannel_token_delivery_mode;
  if (typeof mode !== 'string' || !(DELIVERY_MODES as readonly string[]).includes(mode)) {
    add('backchannel_token_delivery_mode', `must be ${DELIVERY_MODES.join(' or ')}`, 'EP-9');
  }
  if (meta.backchannel_user_code_parameter === true) {
    add('backchannel_user_code_parameter', 'user codes are not offered; the person signs in on the device', 'EP-9');
  }
  return problems;
}
