// A client registration against its classification profile: the profile's executors
// (src/policy/executors/), run in the order the profile lists them. Pure: metadata in,
// problems out. Used for static clients at start-up and for /register and RFC 7592
// updates (invalid_client_metadata).
import type { Problem } from '../config/errors.js';
import { isClassification, profileFor, type Classification, type ProfileOptions } from './classification.js';
import { executorsFor } from './executors/index.js';
import type { ClientCheckContext, ClientFacts, ClientMetadata } from './executors/types.js';

export type { ClientCheckContext, ClientMetadata } from './executors/types.js';
export { registeredScope } from './executors/scopes.js';

const list = (value: unknown, fallback: string[]): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;

/** The registration read once, as every executor reads it. */
export function clientFacts(meta: ClientMetadata, classification: Classification, options: ProfileOptions): ClientFacts {
  const authMethod = typeof meta.token_endpoint_auth_method === 'string' ? meta.token_endpoint_auth_method : 'client_secret_basic';
  const responseTypes = list(meta.response_types, ['code']);
  return {
    classification,
    profile: profileFor(classification, options),
    authMethod,
    isPublic: authMethod === 'none',
    responseTypes,
    grantTypes: list(meta.grant_types, ['authorization_code']),
    usesAuthorize: responseTypes.some((rt) => rt !== 'none'),
  };
}

export function checkClient(meta: ClientMetadata, ctx: ClientCheckContext): Problem[] {
  const classification = meta.classification;
  // GR-2: without a class there is no profile to check against.
  if (!isClassification(classification)) {
    return [{ field: 'classification', message: 'must be one of PUBLIC, IN-CONFIDENCE, SENSITIVE (the most sensitive API class the client may call)', rule: 'GR-2' }];
  }
  const facts = clientFacts(meta, classification, ctx.options);
  return executorsFor(classification).flatMap((e) => e.checkClient?.(meta, facts, ctx) ?? []);
}

/** Fill in what the profile decides so the library enforces it (e.g. PAR, GR-8); an explicit `false` is left for checkClient to refuse. */
export function applyProfile(meta: ClientMetadata, classification: Classification, options: ProfileOptions): ClientMetadata {
  const profile = profileFor(classification, options);
  return executorsFor(classification).reduce((out, e) => e.fillIn?.(out, profile) ?? out, { ...meta });
}

/** What a self-registered client gets set for it by its profile (PAR, sender-constrained tokens). */
export function applyRegistrationDefaults(meta: ClientMetadata, classification: Classification, options: ProfileOptions): ClientMetadata {
  const profile = profileFor(classification, options);
  return executorsFor(classification).reduce((out, e) => e.fillInRegistration?.(out, profile) ?? out, { ...meta });
}
