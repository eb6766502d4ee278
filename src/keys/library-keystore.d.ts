// The library's own keystore initializer (not part of its typed API): called with the
// provider as `this`, it validates a JWKS and replaces the provider's keystore and the
// public set /jwks serves, in one synchronous step.
declare module 'oidc-provider/lib/helpers/initialize_keystore.js' {
  export default function initializeKeystore(this: object, jwks: { keys: Record<string, unknown>[] }): void;
}
