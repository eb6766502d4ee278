// The classification profiles (README: What it enforces): what a client registered for each class of
// API may be and do. Data only: each profile lists its executors by name (src/policy/executors/,
// resolved in src/policy/profiles.ts) and the parameters they read.
import { CLASSIFICATIONS, type Classification } from '../config/schema.js';

export { CLASSIFICATIONS, type Classification };

export const CONFIDENTIAL_AUTH_METHODS = [
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'tls_client_auth',
  'self_signed_tls_client_auth',
] as const;
export const ASYMMETRIC_AUTH_METHODS = ['private_key_jwt', 'tls_client_auth', 'self_signed_tls_client_auth'] as const;

export interface Profile {
  /** GR-2, GR-3 */
  publicClientsAllowed: boolean;
  /** EP-2 */
  authMethods: readonly string[];
  /** GR-4, before deployment options */
  responseTypes: readonly string[];
  /** OIDC-1 */
  openidRequired: boolean;
  /** GR-8, EP-8: 'required' or 'optional' (a deployment may raise optional to required) */
  par: 'required' | 'optional';
  /** EP-2 */
  senderConstrained: 'required' | 'optional';
  /** GR-6 */
  clientCredentialsAuthMethods: readonly string[];
  /** EP-9: CIBA offered to this class; authMethods: what a back-channel client of it must use (unset = as EP-2) */
  ciba: { offered: boolean; authMethods?: readonly string[] };
  /** the executors that hold this profile, in the order they run (src/policy/executors/index.ts) */
  executors: readonly ExecutorName[];
}

/** Every executor, in the order they run; a profile lists those it uses. */
export const EXECUTOR_NAMES = [
  'client-auth', 'response-types', 'grants', 'client-credentials', 'ciba', 'par', 'pkce', 'redirect-uris',
  'openid', 'scopes', 'sender-constraint', 'signing-algs', 'resources',
] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

export const PROFILES: Readonly<Record<Classification, Profile>> = {
  PUBLIC: {
    publicClientsAllowed: true,
    authMethods: ['none', ...CONFIDENTIAL_AUTH_METHODS],
    responseTypes: ['code'],
    // GR-4: plain OAuth 2 code (without openid) SHOULD NOT be offered, even for PUBLIC.
    openidRequired: true,
    par: 'optional',
    senderConstrained: 'optional',
    clientCredentialsAuthMethods: CONFIDENTIAL_AUTH_METHODS,
    ciba: { offered: false },
    executors: EXECUTOR_NAMES,
  },
  'IN-CONFIDENCE': {
    publicClientsAllowed: false,
    authMethods: CONFIDENTIAL_AUTH_METHODS,
    responseTypes: ['code id_token'],
    openidRequired: true,
    par: 'optional',
    senderConstrained: 'optional',
    clientCredentialsAuthMethods: CONFIDENTIAL_AUTH_METHODS,
    ciba: { offered: true },
    executors: EXECUTOR_NAMES,
  },
  SENSITIVE: {
    publicClientsAllowed: false,
    authMethods: ASYMMETRIC_AUTH_METHODS,
    responseTypes: ['code id_token'],
    openidRequired: true,
    par: 'required',
    senderConstrained: 'required',
    clientCredentialsAuthMethods: ASYMMETRIC_AUTH_METHODS,
    ciba: { offered: true, authMethods: ASYMMETRIC_AUTH_METHODS },
    executors: EXECUTOR_NAMES,
  },
};

export function isClassification(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

/** Order of sensitivity: a client may reach APIs of its own class and below. */
export function rank(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

/** What the deployment file may change in the profiles. */
export interface ProfileOptions {
  /** GR-4: `id_token token` for PUBLIC clients (COULD) */
  implicitForPublic: boolean;
  /** GR-4 deviation: plain `code` for IN-CONFIDENCE and SENSITIVE clients */
  codeForConfidential: boolean;
  parForInConfidence: boolean;
  senderConstrainedInConfidence: boolean;
}

export function profileFor(c: Classification, options: ProfileOptions): Profile {
  const base = PROFILES[c];
  if (c === 'PUBLIC') {
    return options.implicitForPublic ? { ...base, responseTypes: [...base.responseTypes, 'id_token token'] } : base;
  }
  return {
    ...base,
    responseTypes: options.codeForConfidential ? [...base.responseTypes, 'code'] : base.responseTypes,
    par: c === 'IN-CONFIDENCE' && options.parForInConfidence ? 'required' : base.par,
    senderConstrained: c === 'IN-CONFIDENCE' && options.senderConstrainedInConfidence ? 'required' : base.senderConstrained,
  };
}


/** The response types the provider offers at all (GR-1, GR-4: executors/response-types.ts). */
export function offeredResponseTypes(options: ProfileOptions): string[] {
  const all = CLASSIFICATIONS.flatMap((c) => profileFor(c, options).responseTypes);
  return [...new Set(all)];
}
