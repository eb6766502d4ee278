// The running IdP: the provider (a Koa app) with our pages and operations routes in
// front of it. Everything a request can reach is assembled here, once, at start-up, from
// the parts in src/server/: the starting keys, the middleware in front of the library, the
// features behind our routes, and the listener with its orderly shutdown.
import type { Provider } from 'oidc-provider';
import { createFileAccountStore, type AccountStore } from './accounts/store.js';
import { createIdentitySources, type IdentitySources } from './accounts/sources/index.js';
import type { CibaOptions } from './ciba/index.js';
import { ConfigError } from './config/errors.js';
import { rememberedGrantLoader } from './consent/grants.js';
import { createLedger, type ConsentLedger } from './consent/index.js';
import { limitDecisions } from './consent/limits.js';
import type { Config } from './config/load.js';
import { storeFactors, type FactorStore } from './factors/store.js';
import { createAuditTrail, type AuditSink, type AuditTrail } from './ops/audit.js';
import { createAuditSink } from './ops/audit-sinks.js';
import { auditedLedger } from './ops/audited-ledger.js';
import { withOperations } from './ops/lifecycle.js';
import { listenHost } from './ops/listen.js';
import { silentLogger, type Logger } from './ops/log.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { watchStore } from './ops/store-watch.js';
import { staticDocuments } from './provider/discovery.js';
import { preflight } from './preflight.js';
import { createProvider } from './provider/index.js';
import { watchSigningKeys, type WatchOptions } from './keys/reload.js';
import { createStore, type Store } from './storage/index.js';
import { loadAccounts, loadCibaDevice, loadLogger, pluginContext } from './plugins/index.js';
import { countersFor } from './storage/limiter.js';
import { webLayer } from './web/routes.js';
import { featureRoutes } from './server/features.js';
import { startingKeys } from './server/keys.js';
import { createListener, type CloseOptions, type ShutdownReport } from './server/listener.js';
import { useProviderMiddleware } from './server/middleware.js';

export type { CloseOptions, ShutdownReport } from './server/listener.js';

export interface Idp {
  provider: Provider;
  store: Store;
  accounts: AccountStore;
  /** the identity sources behind `accounts` (file accounts, directories, upstream providers) */
  sources: IdentitySources;
  /** OIDC-8: the consent ledger */
  ledger: ConsentLedger;
  config: Config;
  /** the audit trail (config/guides/operations.md) */
  audit: AuditTrail;
  metrics: Metrics;
  /** the management listener's port, once listening (when `management` is set) */
  managementPort?: number | undefined;
  /** start listening (by default where src/ops/listen.ts says); resolves with the bound port */
  listen(port?: number, host?: string): Promise<number>;
  /** EP-7: re-read the signing-key file now (SIGHUP); a no-op without one */
  reloadKeys(): void;
  /**
   * Drain, stop accepting, finish in-flight requests, close the store. With `drainMs`,
   * /readyz answers 503 and every response carries Connection: close for that long while
   * requests are still served; connections still open at `deadlineMs` are closed by force.
   */
  close(options?: CloseOptions): Promise<ShutdownReport>;
}

export interface IdpOptions {
  logger?: Logger;
  /** replaces the file-backed account store (an agency's directory) */
  accounts?: AccountStore;
  /** replaces the ledger the store would have (tests: a ledger that fails) */
  ledger?: ConsentLedger;
  /** EP-9: the agency's CIBA authentication device and login_hint lookup */
  ciba?: CibaOptions;
  /** EP-7: how often the signing-key file is polled for changes */
  keyWatch?: WatchOptions;
  /** AUTH-1: replaces the built-in factor records (an agency's directory of second factors) */
  factors?: FactorStore;
  /** replaces the sink `audit.sink` names (an embedding program's own, or a test's) */
  auditSink?: AuditSink;
}

export async function createIdp(fileConfig: Config, options: IdpOptions = {}): Promise<Idp> {
  // An agency's modules named in the deployment file (src/plugins/); code's options win.
  const logger = options.logger ?? (await loadLogger(fileConfig, silentLogger)) ?? silentLogger;
  if (fileConfig.unresolvedSecrets.length) {
    // A Config loaded for reporting only (resolveSecrets: false) holds no real secrets.
    throw new ConfigError(fileConfig.source, fileConfig.unresolvedSecrets.map((field) => ({ field, message: 'was not read (loaded for reporting only)' })));
  }
  // Development mode's demo relying party brings its own clients, checked like any other.
  const { config, policy, demo } = await preflight(fileConfig);
  if (policy.problems.length) throw new ConfigError(config.source, policy.problems);
  for (const w of policy.warnings) {
    logger.log('warn', 'config.warning', { message: `${w.field}: ${w.message}${w.rule ? ` (${w.rule})` : ''} — production mode refuses this` });
  }
  const jwks = await startingKeys(config, logger);

  // Operations (config/guides/operations.md): metrics, the audit trail, a watch on the store.
  const metrics = createMetrics();
  const trail = createAuditTrail(options.auditSink ?? (await createAuditSink(config, pluginContext(config, logger))), config.secrets.lookupKey, (failure) => {
    logger.log('warn', 'audit.sink_failed', { ...failure });
    metrics.auditSinkFailed();
  });
  trail.subscribe((event) => metrics.onAudit(event));
  // The home accounts: an embedder's store, the plug-in module (plugins.accounts), or the file's.
  const pluginAccounts = options.accounts ? undefined : await loadAccounts(config, logger);
  const homeAccounts = options.accounts ?? pluginAccounts ?? (await createFileAccountStore(config.accounts));
  const cibaOptions = options.ciba ?? (await loadCibaDevice(config, logger));
  const store = metrics.instrument(await createStore(config, logger));
  const storeWatch = watchStore(store, config, logger);
  // The home accounts are one identity source among `sources` (src/accounts/sources/).
  const sources = createIdentitySources(config, { fileAccounts: homeAccounts, store, plugin: pluginAccounts !== undefined });
  const accounts: AccountStore = sources;
  // OIDC-8: every decision recorded, but not as fast as someone can click (consent/limits.ts);
  // each decision kept is audited (consent.decided). The counts are shared by every replica
  // on Redis, under keyed hashes.
  const counters = countersFor(config, store);
  const ledger = auditedLedger(limitDecisions(options.ledger ?? (await createLedger(config, store)), config.consent.decisionLimits, counters), trail);
  // OIDC-7: a consent given in an earlier session is remembered until it expires.
  const provider = createProvider(config, policy, store, accounts, jwks, { loadExistingGrant: rememberedGrantLoader(ledger) });
  // Discovery (with its API scopes, OIDC-6) and JWKS, computed once per deployment and key set.
  const documents = staticDocuments(config);
  const keyWatcher = config.signingJwks && config.signingJwksPath ? watchSigningKeys(provider, config.signingJwksPath, config.signingJwks, logger, { ...options.keyWatch, onApplied: documents.forget, onRotated: ({ phase, kids }) => trail.emit('keys.rotated', {}, { phase, kids }) }) : undefined;

  useProviderMiddleware(provider, { config, logger, trail, metrics, documents, counters, store });
  const listener = createListener(config, provider, logger);
  // AUTH-1: second factors in the store (sealed), or the agency's own directory of them.
  const factorStore = options.factors ?? storeFactors(store);
  const routes = await featureRoutes({ provider, config, policy, demo, store, sources, ledger, factorStore, counters, cibaOptions, logger, isShuttingDown: () => listener.shuttingDown });
  provider.use(webLayer(routes, logger).handler);

  const idp: Idp = {
    provider,
    store,
    accounts,
    sources,
    ledger,
    config,
    audit: trail,
    metrics,
    listen: (port = config.port, host = listenHost(config)) => listener.listen(port, host),
    reloadKeys() {
      keyWatcher?.reload('SIGHUP');
    },
    async close(closeOptions: CloseOptions = {}) {
      keyWatcher?.close();
      const report = await listener.close(closeOptions);
      await ledger.close();
      await sources.close();
      await store.close();
      return report;
    },
  };
  return withOperations(idp, { storeWatch, isShuttingDown: () => listener.shuttingDown });
}
