// OIDC-9: SMART App Launch, attached to the running provider: the token-response context,
// and the routes (EHR launch, patient picker). Nothing is attached without a FHIR server.
import type Router from '@koa/router';
import type { Provider } from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';
import type { Config } from '../config/load.js';
import type { Store } from '../storage/store.js';
import { listDirectory, type PatientDirectory } from './directory.js';
import { smartStore } from './launch-store.js';
import { fhirServers, interactionContext, smartResponses } from './provider.js';
import type { Details } from '../consent/decision.js';
import { launchRouter, pickerRouter } from './routes.js';
import { demoFhirRouter } from './demo-fhir.js';

export interface SmartOptions {
  config: Config;
  store: Store;
  accounts: AccountStore;
  /** an agency's patient directory (default: `smart.patients` from the deployment file) */
  directory?: PatientDirectory | undefined;
  /** the /.well-known/smart-configuration document (the demo FHIR API serves it too) */
  discovery: () => Record<string, unknown>;
}

export interface Smart {
  /** for the web layer's route registry (src/web/routes.ts) */
  routes: { router: Router; forPeople: boolean }[];
  /** OIDC-8: the launch context of an interaction, for its consent record */
  contextOf: (details: Details) => Promise<Record<string, unknown> | undefined>;
}

export function attachSmart(provider: Provider, options: SmartOptions): Smart | undefined {
  const { config, accounts } = options;
  if (!fhirServers(config).length) return undefined;
  const store = smartStore(options.store);
  provider.use(smartResponses({ config, store, accounts }, config.lifetimes.grant));
  const deps = { provider, config, store, accounts, directory: options.directory ?? listDirectory(config.smart.patients) };
  const routes = [
    { router: launchRouter(deps), forPeople: false },
    { router: pickerRouter(deps), forPeople: true },
  ];
  // Development mode only: the demo FHIR API (src/smart/demo-fhir.ts).
  const demo = demoFhirRouter(config, options.discovery);
  if (demo) routes.push({ router: demo, forPeople: false });
  return { routes, contextOf: interactionContext({ config, store, accounts }) };
}
