// The client metadata this IdP understands (RFC 7591, OpenID Connect Registration and the
// extensions the library implements, as this IdP configures it), so that a typo such as
// `redirect_uri` is refused instead of silently dropped. The list is the library's own under
// the fullest configuration (mTLS with a CA, CIBA on) plus ours; test/unit/policy-client-metadata
// compares the two, so a library upgrade that changes what it accepts fails there.
export const KNOWN_CLIENT_METADATA: ReadonlySet<string> = new Set([
  'application_type', 'client_id', 'client_id_issued_at', 'client_name', 'client_secret', 'client_secret_expires_at',
  'client_uri', 'contacts', 'default_acr_values', 'default_max_age', 'grant_types', 'id_token_signed_response_alg',
  'initiate_login_uri', 'jwks', 'jwks_uri', 'logo_uri', 'policy_uri', 'redirect_uris', 'require_auth_time',
  'response_types', 'response_modes', 'scope', 'sector_identifier_uri', 'subject_type', 'token_endpoint_auth_method', 'tos_uri',
  'token_endpoint_auth_signing_alg', 'post_logout_redirect_uris', 'require_pushed_authorization_requests',
  'id_token_encrypted_response_alg', 'id_token_encrypted_response_enc',
  'authorization_signed_response_alg', 'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc',
  'tls_client_certificate_bound_access_tokens', 'tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri',
  'tls_client_auth_san_ip', 'tls_client_auth_san_email', 'use_mtls_endpoint_aliases', 'backchannel_token_delivery_mode',
  'backchannel_user_code_parameter', 'backchannel_client_notification_endpoint', 'dpop_bound_access_tokens',
  // ours: the classification profile (GR-2), the API scopes of `scope` and the APIs a client
  // may get tokens for (EP-10) (src/provider/hooks.ts, EXTRA_CLIENT_METADATA)
  'classification', 'api_scope', 'allowed_resources',
]);

/**
 * Registration metadata of features this IdP leaves off (JWT or encrypted userinfo and
 * introspection responses, request objects, back-channel logout, rich authorization
 * requests): the library drops them without a word, so a client counting on one would
 * silently get the plain behaviour. Refused, with a message that is not "a typo?".
 */
export const UNSUPPORTED_CLIENT_METADATA: ReadonlySet<string> = new Set([
  'userinfo_signed_response_alg', 'userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc',
  'introspection_signed_response_alg', 'introspection_encrypted_response_alg', 'introspection_encrypted_response_enc',
  'request_object_signing_alg', 'require_signed_request_object', 'request_object_encryption_alg', 'request_object_encryption_enc',
  'backchannel_logout_uri', 'backchannel_logout_session_required', 'backchannel_authentication_request_signing_alg',
  'authorization_details_types',
]);

/** Fields the library would drop without a word; each is most likely a typo (or an unsupported feature). */
export function unknownClientFields(meta: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(meta).filter((k) => !KNOWN_CLIENT_METADATA.has(k));
}
