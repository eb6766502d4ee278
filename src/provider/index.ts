// Assemble the provider: validated config → policy → oidc-provider. Discovery's API
// scopes (OIDC-6) are completed with its cache (discovery.ts), wired in src/server.ts.
import Provider from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';
import type { Config, Jwks } from '../config/load.js';
import type { DeploymentPolicy } from '../policy/deployment.js';
import type { Store } from '../storage/store.js';
import { buildConfiguration, type ProviderHooks } from './configuration.js';

export function createProvider(config: Config, policy: DeploymentPolicy, store: Store, accounts: AccountStore, jwks: Jwks, hooks: ProviderHooks = {}): Provider {
  const provider = new Provider(config.issuer, buildConfiguration({ config, store, accounts, jwks, clients: policy.clients, options: policy.options, hooks }));
  // EP-11: behind a TLS-terminating proxy, trust its X-Forwarded-* headers only when told
  // to, and only as src/ops/proxy.ts has rewritten them (the server does, per request).
  provider.proxy = config.proxy !== false;
  return provider;
}
