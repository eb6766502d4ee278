// Facts about this build that neither the deployment file nor the assembled
// oidc-provider Configuration reveals. Each names the code that decides it; the test
// test/unit/compliance-build.test.ts checks the ones that can be checked, so a change
// in src/ that makes one stale fails a test instead of making the report lie.
export const BUILD = {
  /**
   * src/provider/accounts.ts returns every claim of the granted scopes for an ID token
   * built outside the authorization endpoint; the library then keeps them in the
   * /token ID token whenever the access token is for an API (resource indicator:
   * lib/helpers/grant_common.js issueIdToken, `!at.aud`).
   */
  backChannelIdTokenClaims: true,
  /**
   * OIDC-8: no consent ledger yet. The consent page saves the library's Grant (scopes,
   * claims, API scopes) in the sealed store; it lives for lifetimes.grant or until revoked.
   */
  consentLedger: false,
  /** EP-11: the process listens on plain HTTP (src/server.ts); TLS is a proxy's job. */
  tlsListener: false,
  /** EP-10, OIDC-6: discovery's service_documentation points at <issuer>/docs; no route serves it. */
  docsRoute: false,
  /** OIDC-9: no /.well-known/smart-configuration and no SMART launch context. */
  smartAppLaunch: false,
} as const;
