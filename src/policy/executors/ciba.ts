// EP-9, GR-2: which clients may use CIBA. Registration: only when features.ciba is on, only
// for classes whose profile offers it, only confidential clients (the person approves
// elsewhere, so only a client that can keep a secret may ask), with the authentication the
// profile asks of back-channel clients, and a delivery mode the IdP serves. /bc-authorize:
// the same checks again, so a static client that slipped past start-up is still refused.
import type { Problem } from '../../config/errors.js';
import { CLASSIFICATIONS, PROFILES } from '../classification.js';
import type { ClientMetadata, Executor } from './types.js';
import type { Profile } from '../classification.js';

export const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
export const DELIVERY_MODES = ['poll', 'ping'] as const;

export function usesCiba(meta: Readonly<Record<string, unknown>>): boolean {
  return Array.isArray(meta.grant_types) && meta.grant_types.includes(CIBA_GRANT);
}

/** The problems of a client registered for the CIBA grant (none when it is not); `profile` undefined = no classification. */
export function cibaClientProblems(meta: ClientMetadata, profile: Profile | undefined, cibaEnabled = true): Problem[] {
  if (!usesCiba(meta)) return [];
  if (!cibaEnabled) return [{ field: 'grant_types', message: 'CIBA is not enabled in this deployment (features.ciba)', rule: 'EP-9' }];
  const problems: Problem[] = [];
  const add = (field: string, message: string, rule: string) => problems.push({ field, message, rule });
  const authMethod = typeof meta.token_endpoint_auth_method === 'string' ? meta.token_endpoint_auth_method : 'client_secret_basic';

  if (authMethod === 'none') add('token_endpoint_auth_method', 'CIBA is for confidential clients only; "none" makes the client public', 'GR-2');
  if (!profile?.ciba.offered) {
    add('grant_types', `CIBA is offered to ${CLASSIFICATIONS.filter((c) => PROFILES[c].ciba.offered).join(' and ')} clients only`, 'EP-9');
  }
  // GR-6 spirit: a back-channel client of a class that asks for keys proves itself with one.
  const methods = profile?.ciba.authMethods;
  if (methods && authMethod !== 'none' && !methods.includes(authMethod)) {
    add('token_endpoint_auth_method', `a ${String(meta.classification)} CIBA client authenticates with ${methods.join(', ')}`, 'EP-2');
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

export const ciba: Executor = {
  name: 'ciba',
  report: [
    { rule: 'EP-9', mechanism: 'features.ciba.enabled follows the deployment file; registration and every /bc-authorize request check the client against its profile: confidential, a class the profile offers CIBA to, a delivery mode the IdP serves, no user codes (src/policy/executors/ciba.ts)' },
  ],
  checkClient: (meta, { profile }, ctx) => cibaClientProblems(meta, profile, ctx.ciba === true),
  cibaRequest: (meta, profile) => cibaClientProblems(meta, profile)[0],
};
