// The features behind our own routes, wired once: the one throttled sign-in, SMART, second
// factors, the sign-in and consent pages, the account pages, CIBA, identity sources'
// callbacks, the ledger export, the docs, the demo — and the route registry
// (src/web/routes.ts) that lists every route of ours and whether people use it.
import type { Provider } from 'oidc-provider';
import { upstreamRoutes } from '../accounts/sources/routes.js';
import type { IdentitySources } from '../accounts/sources/index.js';
import { attachCiba, type CibaOptions } from '../ciba/index.js';
import type { Config } from '../config/load.js';
import { exportRoutes } from '../consent/admin.js';
import type { ConsentLedger } from '../consent/index.js';
import { consentTextVersion } from '../consent/text.js';
import { seedDemoFactors } from '../factors/demo.js';
import { createFactorService } from '../factors/service.js';
import { factorStatic } from '../factors/static.js';
import type { FactorStore } from '../factors/store.js';
import { accountRoutes } from '../interactions/account.js';
import { interactionRoutes } from '../interactions/routes.js';
import { docsRoutes } from '../ops/docs.js';
import type { Logger } from '../ops/log.js';
import { opsRoutes } from '../ops/routes.js';
import { smartConfiguration, smartRoutes } from '../ops/smart.js';
import { offeredResponseTypes } from '../policy/classification.js';
import type { Preflight } from '../preflight.js';
import { clientAuthMethods } from '../provider/mtls.js';
import { attachSmart } from '../smart/index.js';
import type { CounterBackend } from '../storage/limiter.js';
import type { Store } from '../storage/index.js';
import type { RouteGroup } from '../web/routes.js';
import { createSignIn } from '../web/sign-in.js';

export interface FeatureDeps {
  provider: Provider;
  config: Config;
  policy: Preflight['policy'];
  demo: Preflight['demo'];
  store: Store;
  sources: IdentitySources;
  ledger: ConsentLedger;
  factorStore: FactorStore;
  counters: CounterBackend & { lookupKey: Buffer };
  cibaOptions: CibaOptions | undefined;
  logger: Logger;
  /** /readyz answers 503 once this is true */
  isShuttingDown: () => boolean;
}

export async function featureRoutes(deps: FeatureDeps): Promise<RouteGroup[]> {
  const { provider, config, policy, demo, store, sources, ledger, factorStore, counters, cibaOptions, logger } = deps;
  const accounts = sources;
  const { exportToken } = config.secrets;
  const responseTypes = offeredResponseTypes(policy.options);
  // One throttled sign-in for every password form (login, consents page, CIBA page).
  const signIn = createSignIn(config, store, accounts);
  const consentText = consentTextVersion(config);
  // OIDC-9: SMART launch context in token responses, /smart/launch, the patient picker, the demo FHIR API.
  const smart = attachSmart(provider, { config, store, accounts, discovery: () => smartConfiguration(config, clientAuthMethods(config), responseTypes) });
  const consentDeps = { provider, config, ledger, signIn, consentText, logger, smartContext: smart?.contextOf, sources };
  // AUTH-1: second factors in the store (sealed), or the agency's own directory of them.
  const factors = createFactorService(config, factorStore, signIn, counters);
  const demoFactor = demo ? await seedDemoFactors(config, factorStore) : undefined;
  if (demoFactor) {
    // Development only (seedDemoFactors checks the mode): the key is the point of the demo.
    logger.log('warn', 'demo.one_time_code', { message: `DEVELOPMENT ONLY: demo account "${demoFactor.username}" has a one-time-code app. Add this key to an authenticator app: ${demoFactor.key} (or ${demoFactor.uri})` });
  }
  const interactions = interactionRoutes({ ...consentDeps, factors, store });
  const account = accountRoutes({ ...consentDeps, store, factors });
  const ciba = attachCiba(provider, { config, store, signIn, logger, options: cibaOptions, recording: { ledger, consentText } });
  return [
    { router: opsRoutes(store, deps.isShuttingDown, () => sources.readiness()), forPeople: false },
    { router: docsRoutes(config), forPeople: false },
    { router: smartRoutes(config, clientAuthMethods(config), responseTypes), forPeople: false },
    { router: factorStatic(), forPeople: false },
    { router: interactions, forPeople: true },
    ...(smart?.routes ?? []),
    ...(sources.upstreams.length ? [{ router: upstreamRoutes({ provider, config, sources, logger }), forPeople: true }] : []),
    { router: account, forPeople: true },
    ...(exportToken ? [{ router: exportRoutes(ledger, exportToken), forPeople: false }] : []),
    ...(ciba ? [{ router: ciba, forPeople: true }] : []),
    ...(demo ? [{ router: demo.module.demoRouter(config, demo.clients), forPeople: true }] : []),
  ];
}
