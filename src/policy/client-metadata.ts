// The client metadata this IdP understands (RFC 7591, OpenID Connect Registration and the
// extensions the library implements), so that a typo such as `redirect_uri` is refused
// instead of silently dropped.
export const KNOWN_CLIENT_METADATA: ReadonlySet<string> = new Set([
  'application_type', 'client_id', 'client_id_issued_at', 'client_name', 'client_secret', 'client_secret_expires_at',
  'client_uri', 'contacts', 'default_acr_values', 'default_max_age', 'grant_types', 'id_token_signed_response_alg',
  'initiate_login_uri', 'jwks', 'jwks_uri', 'logo_uri', 'policy_uri', 'redirect_uris', 'require_auth_time',
  'response_types', 'response_modes', 'scope', 'sector_identifier_uri', 'subject_type', 'token_endpoint_auth_method', 'tos_uri',
  'token_endpoint_auth_signing_alg', 'userinfo_signed_response_alg', 'introspection_signed_response_alg',
  'introspection_encrypted_response_alg', 'introspection_encrypted_response_enc', 'post_logout_redirect_uris',
  'backchannel_logout_session_required', 'backchannel_logout_uri', 'request_object_signing_alg', 'require_signed_request_object',
  'request_object_encryption_alg', 'request_object_encryption_enc', 'require_pushed_authorization_requests',
  'id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', 'userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc',
  'authorization_signed_response_alg', 'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc',
  'tls_client_certificate_bound_access_tokens', 'tls_client_auth_subject_dn', 'tls_client_auth_san_dns', 'tls_client_auth_san_uri',
  'tls_client_auth_san_ip', 'tls_client_auth_san_email', 'use_mtls_endpoint_aliases', 'backchannel_token_delivery_mode',
  'backchannel_user_code_parameter', 'backchannel_client_notification_endpoint', 'backchannel_authentication_request_signing_alg',
  'dpop_bound_access_tokens', 'authorization_details_types',
  // ours: the classification profile (GR-2) and the API scopes of `scope` (src/provider/hooks.ts)
  'classification', 'api_scope',
]);

/** Fields the library would drop without a word; each is most likely a typo. */
export function unknownClientFields(meta: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(meta).filter((k) => !KNOWN_CLIENT_METADATA.has(k));
}
