// Facts about this build that neither the deployment file nor the assembled
// oidc-provider Configuration reveals. Each names the code that decides it; the test
// test/unit/compliance-build.test.ts checks the ones that can be checked, so a change
// in src/ that makes one stale fails a test instead of making the report lie.
export const BUILD = {
  /**
   * src/provider/accounts.ts gives an ID token identity claims only when the client
   * registered ID-token encryption (JWE); otherwise `sub` alone, at /token as at /authorize.
   */
  backChannelIdTokenClaims: false,
  /** OIDC-8: src/consent/ keeps an append-only ledger, written before each decision takes effect. */
  consentLedger: true,
  /** EP-11: src/server.ts serves HTTPS itself when `tls` is configured (else TLS ends at a trusted proxy). */
  tlsListener: true,
  /** EP-10, OIDC-6: discovery's service_documentation points at <issuer>/docs (src/ops/docs.ts). */
  docsRoute: true,
  /** OIDC-9: /.well-known/smart-configuration (src/ops/smart.ts): standalone and EHR launch, launch context, backend services (src/smart/). */
  smartConfiguration: true,
} as const;
