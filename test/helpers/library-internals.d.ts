// Typing for a part of oidc-provider outside its documented API, read only by tests: the
// per-provider internals, where the client schema keeps the metadata it recognises under the
// provider's configuration (lib/helpers/client_schema.js). The test comparing that list with
// src/policy/client-metadata.ts fails loudly if a library release moves it.
declare module 'oidc-provider/lib/helpers/weak_cache.js' {
  interface ProviderInternals {
    /** the client metadata names the library keeps, for this provider's features (set once provider.Client exists) */
    RECOGNIZED_METADATA?: string[];
    configuration: { extraClientMetadata: { properties: string[] } };
  }
  const instance: (provider: object) => ProviderInternals | undefined;
  export default instance;
}
