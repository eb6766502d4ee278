// The guideline's rule catalogue: the one source of rule IDs, levels and texts, used by
// start-up checks and the compliance report. Levels as the guideline says; '—' where it
// states none.
export type Level = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY' | '—';

export interface Rule {
  id: string;
  level: Level;
  text: string;
}

export const RULES: readonly Rule[] = [
  { id: 'TOK-1', level: 'MUST', text: 'An authorisation code is single-use and is not kept (its sensitive content is gone) once used. A reused code is refused and the grant it came from is revoked.' },
  { id: 'TOK-2', level: 'MUST', text: 'Authorisation codes, access tokens and refresh tokens are encrypted when stored (every store, memory included); a stored record does not reveal the bearer value.' },
  { id: 'TOK-3', level: 'SHOULD', text: 'Access-token lifetime is less than 60 minutes.' },
  { id: 'TOK-4', level: 'SHOULD', text: 'Refresh-token lifetime is less than 24 hours (absolute, across rotations).' },
  { id: 'TOK-5', level: 'MUST', text: 'Refresh tokens are used when access is granted for a long period (offline access).' },
  { id: 'TOK-6', level: 'MUST', text: 'Opaque access tokens are only issued together with an introspection (tokeninfo) endpoint that answers for them.' },
  { id: 'TOK-7', level: 'SHOULD', text: 'Access and refresh tokens are JWTs (self-contained, signed); access tokens follow RFC 9068.' },
  { id: 'TOK-8', level: 'MUST', text: 'A token that carries PII/PHI is encrypted (JWE).' },
  { id: 'TOK-9', level: 'MUST', text: 'Tokens and ID tokens are signed with an approved algorithm; `none` and weak algorithms are never accepted or produced.' },
  { id: 'TOK-10', level: '—', text: 'API keys, where used, are at least 40 random characters.' },
  { id: 'EP-1', level: 'MUST', text: '`/authorize`: only registered clients (client_id); TLS; PKCE for every code flow. PAR and JARM MAY be used.' },
  { id: 'EP-2', level: 'SHOULD', text: '`/token`: client authenticated with client_secret_post, client_secret_jwt, private_key_jwt or tls_client_auth; mTLS and proof of possession (sender-constrained tokens) SHOULD be used.' },
  { id: 'EP-3', level: 'MUST', text: 'Redirect URIs are validated exactly against the registration; `state` and `nonce` are included in authorisation requests.' },
  { id: 'EP-4', level: 'MUST', text: 'A `/revoke` endpoint exists for access and refresh tokens, with client authentication.' },
  { id: 'EP-5', level: 'SHOULD', text: 'An `/introspect` endpoint exists, with client authentication.' },
  { id: 'EP-6', level: 'SHOULD', text: 'A `/userinfo` endpoint exists; the access token presented is validated for time, issuer and signature.' },
  { id: 'EP-7', level: 'MUST', text: 'A `/jwks` endpoint publishes the provider\'s public keys.' },
  { id: 'EP-8', level: 'MAY', text: 'A `/par` endpoint (pushed authorisation requests).' },
  { id: 'EP-9', level: 'MAY', text: 'A `/bc-authorize` endpoint (CIBA).' },
  { id: 'EP-10', level: 'MUST', text: '`/.well-known/openid-configuration` describes exactly what is offered; `/register` exists where clients self-register; onboarding is documented.' },
  { id: 'EP-11', level: 'MUST', text: 'All endpoints are served over TLS (directly or behind a TLS-terminating proxy that the IdP is told to trust).' },
  { id: 'OIDC-1', level: 'MUST', text: 'IN-CONFIDENCE and SENSITIVE access uses OpenID Connect (`openid` scope, ID token).' },
  { id: 'OIDC-2', level: 'SHOULD', text: 'ID tokens carry `c_hash`, `s_hash` and `at_hash` where the flow allows.' },
  { id: 'OIDC-3', level: 'MUST', text: 'Only the minimum identity attributes are released for the request.' },
  { id: 'OIDC-4', level: 'MUST', text: 'An ID token sent through the authorisation endpoint (front channel) carries no PII/PHI.' },
  { id: 'OIDC-5', level: 'MAY', text: '`/userinfo` may give more claims, e.g. the National Health Index (NHI) identifier.' },
  { id: 'OIDC-6', level: 'SHOULD', text: 'The available scopes are documented (discovery and docs).' },
  { id: 'OIDC-7', level: 'MUST', text: 'Consent to share is obtained from the information owner.' },
  { id: 'OIDC-8', level: 'MUST', text: 'Every consent is recorded with its parameters.' },
  { id: 'OIDC-9', level: 'SHOULD', text: 'SMART on FHIR scopes are supported where FHIR APIs are protected.' },
  { id: 'GR-1', level: 'MUST', text: 'The provider offers only the agreed response and grant types.' },
  { id: 'GR-2', level: 'MUST', text: 'IN-CONFIDENCE and SENSITIVE clients are confidential clients.' },
  { id: 'GR-3', level: 'MAY', text: 'Public clients only for PUBLIC APIs.' },
  { id: 'GR-4', level: '—', text: 'Response types: `code` (OIDC, PKCE) allowed; `code id_token` MUST for confidential IN-CONFIDENCE/SENSITIVE web clients; `id_token token` COULD for PUBLIC only; `code id_token token`, `code token`, `id_token`, OAuth 2 `token` and plain OAuth 2 code without `openid` SHOULD NOT — the provider refuses them.' },
  { id: 'GR-5', level: 'MUST NOT', text: 'Resource-owner password credentials grant.' },
  { id: 'GR-6', level: 'SHOULD', text: 'Client credentials only for system-to-system, confidential clients only.' },
  { id: 'GR-7', level: 'SHOULD NOT', text: 'Refresh tokens for public (browser/native) clients.' },
  { id: 'GR-8', level: 'MUST', text: 'PKCE (S256) for every authorisation-code flow; PAR required for SENSITIVE clients.' },
  // Beyond the guideline: New Zealand's health information security framework expects
  // multi-factor authentication for access to health information (issue #16).
  { id: 'AUTH-1', level: 'SHOULD', text: 'A person reaching SENSITIVE information signs in with a second factor; clients can ask for a level of assurance (`acr_values`, `max_age`) and the ID token states truthfully what was done (`acr`, `amr`, `auth_time`).' },
];

export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

/** A MUST (or MUST NOT) cannot be waived by a deviation. */
export function isMandatory(id: string): boolean {
  const level = RULES.find((r) => r.id === id)?.level;
  return level === 'MUST' || level === 'MUST NOT';
}
