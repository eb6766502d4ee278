// The identity scopes and the APIs (resource servers) a deployment offers (OIDC-3, OIDC-6, GR-6, TOK-8, OIDC-9).
import { z } from 'zod';
import { CLASSIFICATIONS, scopeToken, seconds } from './common.js';

/** An API scope: its consent-page description, or that and whether it acts for a person. */
const apiScope = z.union([
  z.string().min(1),
  z.strictObject({
    description: z.string().min(1).describe('The plain-language description shown on the consent page (OIDC-6).'),
    actsForPerson: z.boolean().default(false).describe('The scope acts for a person, so `client_credentials` never grants it (GR-6).'),
  }),
]);

const resourceServerFields = z.strictObject({
  identifier: z.url().describe('The API\'s `resource` (RFC 8707) and audience URL.'),
  name: z.string().min(1).optional().describe('Its name, as people read it on the consent page and at `/docs`.'),
  classification: z.enum(CLASSIFICATIONS).describe('The API\'s class: only clients of this class or a more sensitive one may get tokens for it.'),
  // OIDC-6: each scope's description is shown on the consent page.
  scopes: z
    .record(scopeToken, apiScope)
    .describe('Scope → plain-language description shown on the consent page (OIDC-6), or `{ "description", "actsForPerson": true }` for a scope that acts for a person and is never granted to `client_credentials` (GR-6).'),
  introspectionClientId: z
    .string()
    .min(1)
    .optional()
    .describe('The client (in `clients[]`) this API authenticates as at `/introspect`; only it and the token\'s own client get `active: true` (TOK-6, EP-5).'),
  accessTokenFormat: z.enum(['jwt', 'opaque']).default('jwt').describe('`jwt` (RFC 9068) or `opaque` (introspectable at `/introspect`, revocable at once; reported as a TOK-7 deviation).'),
  accessTokenTTL: seconds.optional().describe('Seconds; can only shorten `lifetimes.accessToken`.'),
  signingAlg: z.string().optional().describe('JWS algorithm for this API\'s JWT access tokens, instead of `algorithms.accessToken`: an approved one (RS256/384/512 only when listed in `algorithms.idToken`); production keys must include one for it (TOK-9).'),
  encrypt: z
    .strictObject({
      jwk: z.record(z.string(), z.unknown()).describe('The API\'s public encryption key (JWK).'),
      alg: z.string().describe('JWE key management algorithm, e.g. `ECDH-ES`.'),
      enc: z.string().describe('JWE content encryption, e.g. `A256GCM`.'),
    })
    .optional()
    .describe('JWE access tokens for an API whose tokens carry PII or PHI (TOK-8), encrypted to its key.'),
  // OIDC-9: a FHIR server: SMART apps name it by `aud`, its scopes are read as SMART scopes.
  fhir: z
    .strictObject({
      demo: z
        .boolean()
        .default(false)
        .describe('Development mode only: this IdP serves a small demo FHIR API at `identifier` (which must be `<issuer>/demo/fhir`), with its own `/.well-known/smart-configuration`.'),
    })
    .optional()
    .describe('This API is a FHIR server and `identifier` is its FHIR base URL: a SMART app\'s `aud` selects it as `resource` would, its `scopes` are SMART scopes (`patient/Observation.rs`, `user/*.rs`, `system/Observation.rs`, granular `?category=`), and requests are checked against them (OIDC-9). See config/guides/smart.md.'),
});

// Consumers read `scopes` as scope → description; the person marks are kept apart.
export const resourceServer = resourceServerFields.transform(({ scopes, ...api }) => ({
  ...api,
  scopes: Object.fromEntries(Object.entries(scopes).map(([name, s]) => [name, typeof s === 'string' ? s : s.description])),
  /** GR-6: the scopes marked `actsForPerson` */
  personScopes: Object.entries(scopes).flatMap(([name, s]) => (typeof s === 'object' && s.actsForPerson ? [name] : [])),
}));

export const scopeDoc = z.strictObject({
  description: z.string().min(1).describe('The plain-language text on the consent page (OIDC-6).'),
  claims: z.array(z.string()).default([]).describe('The claims this scope releases (OIDC-3).'),
  optional: z.boolean().default(false).describe('The consent page lets the person untick it.'),
});

export const scopes = z
  .record(scopeToken, scopeDoc)
  .default({})
  .describe('The identity scopes offered, the claims each releases (OIDC-3), the plain-language text on the consent page (OIDC-6), and whether a person may untick it. Names are RFC 6749 scope tokens. `openid` and `offline_access` are built in and cannot be redefined (OIDC-3).');

export const resourceServers = z.array(resourceServer).default([]).describe('The APIs.');
