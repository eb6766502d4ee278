// The running IdP: the provider (a Koa app) with our pages and operations routes in
// front of it. Everything a request can reach is assembled here, once, at start-up.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from 'oidc-provider';
import { createFileAccountStore, type AccountStore } from './accounts/store.js';
import { createIdentitySources, type IdentitySources } from './accounts/sources/index.js';
import { upstreamRoutes } from './accounts/sources/routes.js';
import { attachCiba, type CibaOptions } from './ciba/index.js';
import { ConfigError } from './config/errors.js';
import { exportRoutes } from './consent/admin.js';
import { rememberedGrantLoader } from './consent/grants.js';
import { createLedger, type ConsentLedger } from './consent/index.js';
import { limitDecisions } from './consent/limits.js';
import { consentTextVersion } from './consent/text.js';
import type { Config, Jwks } from './config/load.js';
import { accountRoutes } from './interactions/account.js';
import { createFactorService } from './factors/service.js';
import { storeFactors, type FactorStore } from './factors/store.js';
import { factorStatic } from './factors/static.js';
import { seedDemoFactors } from './factors/demo.js';
import { interactionRoutes } from './interactions/routes.js';
import { createSignIn } from './web/sign-in.js';
import { securityHeaders } from './web/headers.js';
import { createAuditTrail, type AuditSink, type AuditTrail } from './ops/audit.js';
import { createAuditSink } from './ops/audit-sinks.js';
import { auditedLedger } from './ops/audited-ledger.js';
import { attachHttpErrorLogs, logKoaErrors } from './ops/http-errors.js';
import { withOperations } from './ops/lifecycle.js';
import { silentLogger, type Logger } from './ops/log.js';
import { createMetrics, type Metrics } from './ops/metrics.js';
import { attachProviderEvents, revocationAudit } from './ops/provider-events.js';
import { fromTrustedProxy, requestContext } from './ops/requests.js';
import { watchStore } from './ops/store-watch.js';
import { docsRoutes } from './ops/docs.js';
import { webLayer, type RouteGroup } from './web/routes.js';
import { KEEP_ALIVE_MS, listenHost } from './ops/listen.js';
import { normaliseForwarded, proxyTrust } from './ops/proxy.js';
import { limitStateCreation } from './ops/rate-limit.js';
import { opsRoutes } from './ops/routes.js';
import { smartConfiguration, smartRoutes } from './ops/smart.js';
import { attachSmart } from './smart/index.js';
import { storeUnavailable } from './ops/unavailable.js';
import { attachClientAuthExplanations, refuseBasicAuth } from './provider/client-auth.js';
import { clientAuthMethods } from './provider/mtls.js';
import { anonymousLogout } from './provider/logout.js';
import { keepRefreshTokenOnFailure } from './provider/refresh.js';
import { staticDocuments } from './provider/discovery.js';
import { enabledSigningAlgs } from './policy/algorithms.js';
import { offeredResponseTypes } from './policy/classification.js';
import { preflight } from './preflight.js';
import { createProvider } from './provider/index.js';
import { ephemeralJwks } from './provider/keys.js';
import { providerJwks } from './keys/lifecycle.js';
import { watchSigningKeys, type WatchOptions } from './keys/reload.js';
import { annotateGrantError, ruleAnnotations } from './provider/rule-annotations.js';
import { createStore, type Store } from './storage/index.js';
import { loadAccounts, loadCibaDevice, loadLogger, pluginContext } from './plugins/index.js';
import { countersFor } from './storage/limiter.js';
import { requestScopedRecords } from './storage/request-scope.js';

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

export interface CloseOptions {
  /** ms of draining before the listener closes (default 0) */
  drainMs?: number;
  /** ms after the call at which open connections are closed by force (default 10 s) */
  deadlineMs?: number;
}

export interface ShutdownReport {
  /** requests still unanswered at the deadline, whose connections were closed by force */
  unfinished: number;
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

  let jwks: Jwks;
  if (config.signingJwks) {
    // EP-7: pending keys are published only; superseded ones verify only (src/keys/lifecycle.ts).
    jwks = providerJwks(config.signingJwks, Math.floor(Date.now() / 1000));
  } else {
    jwks = await ephemeralJwks(enabledSigningAlgs(config.algorithms.idToken));
    logger.log('warn', 'keys.ephemeral', { message: 'EPHEMERAL SIGNING KEYS: made up at start-up, gone at restart; every token signed now stops verifying then. Development only.' });
  }
  if (config.secrets.ephemeral) {
    logger.log('warn', 'secrets.ephemeral', { message: 'EPHEMERAL SECRETS: cookie and sealing keys are made up at start-up. Development only.' });
  } else if (config.secrets.dpopNonceKeyMadeUp) {
    logger.log('warn', 'secrets.dpopNonceKey', { message: 'secrets.dpopNonceKey is not set: DPoP nonces are made up per process, so replicas will not accept each other\'s nonces. Set it when running more than one replica.' });
  }

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
  const { exportToken } = config.secrets;
  // OIDC-7: a consent given in an earlier session is remembered until it expires.
  const provider = createProvider(config, policy, store, accounts, jwks, { loadExistingGrant: rememberedGrantLoader(ledger) });
  let shuttingDown = false;
  // Discovery (with its API scopes, OIDC-6) and JWKS, computed once per deployment and key set.
  const documents = staticDocuments(config);
  const keyWatcher = config.signingJwks && config.signingJwksPath ? watchSigningKeys(provider, config.signingJwksPath, config.signingJwks, logger, { ...options.keyWatch, onApplied: documents.forget, onRotated: ({ phase, kids }) => trail.emit('keys.rotated', {}, { phase, kids }) }) : undefined;

  provider.on('grant.error', annotateGrantError);
  attachClientAuthExplanations(provider, config.algorithms.clientAuthentication);
  attachProviderEvents(provider, trail, logger);
  logKoaErrors(provider, logger);

  // Logs: a request id and one access line per request. A proxy's X-Request-Id is taken
  // only from a proxy the deployment trusts (EP-11, `proxy`).
  const requestIdTrust = proxyTrust(config.proxy);
  // #13.7: each request opens a stored record once (src/storage/request-scope.ts).
  provider.use(requestScopedRecords());
  provider.use(requestContext({ logger, audit: trail, trustsProxy: (ctx) => fromTrustedProxy(ctx.req.socket.remoteAddress, requestIdTrust), observe: (o) => metrics.observeRequest(o) }));
  provider.use(revocationAudit(trail));
  provider.use(securityHeaders());
  provider.use(documents.middleware);
  provider.use(storeUnavailable());
  provider.use(ruleAnnotations());
  provider.use(refuseBasicAuth(provider, clientAuthMethods(config)));
  provider.use(keepRefreshTokenOnFailure());
  provider.use(limitStateCreation(config.limits.stateCreating, counters));
  provider.use(anonymousLogout(provider));
  // One throttled sign-in for every password form (login, consents page, CIBA page).
  const signIn = createSignIn(config, store, accounts);
  const consentText = consentTextVersion(config);
  // OIDC-9: SMART launch context in token responses, /smart/launch, the patient picker, the demo FHIR API.
  const smart = attachSmart(provider, { config, store, accounts, discovery: () => smartConfiguration(config, clientAuthMethods(config), offeredResponseTypes(policy.options)) });
  const consentDeps = { provider, config, ledger, signIn, consentText, logger, smartContext: smart?.contextOf, sources };
  // AUTH-1: second factors in the store (sealed), or the agency's own directory of them.
  const factorStore = options.factors ?? storeFactors(store);
  const factors = createFactorService(config, factorStore, signIn, counters);
  const demoFactor = demo ? await seedDemoFactors(config, factorStore) : undefined;
  if (demoFactor) {
    // Development only (seedDemoFactors checks the mode): the key is the point of the demo.
    logger.log('warn', 'demo.one_time_code', { message: `DEVELOPMENT ONLY: demo account "${demoFactor.username}" has a one-time-code app. Add this key to an authenticator app: ${demoFactor.key} (or ${demoFactor.uri})` });
  }
  const interactions = interactionRoutes({ ...consentDeps, factors, store });
  const account = accountRoutes({ ...consentDeps, store, factors });
  const ciba = attachCiba(provider, { config, store, signIn, logger, options: cibaOptions, recording: { ledger, consentText } });
  // The route registry (src/web/routes.ts): every route of ours, and whether people use it.
  const routes: RouteGroup[] = [
    { router: opsRoutes(store, () => shuttingDown, () => sources.readiness()), forPeople: false },
    { router: docsRoutes(config), forPeople: false },
    { router: smartRoutes(config, clientAuthMethods(config), offeredResponseTypes(policy.options)), forPeople: false },
    { router: factorStatic(), forPeople: false },
    { router: interactions, forPeople: true },
    ...(smart?.routes ?? []),
    ...(sources.upstreams.length ? [{ router: upstreamRoutes({ provider, config, sources, logger }), forPeople: true }] : []),
    { router: account, forPeople: true },
    ...(exportToken ? [{ router: exportRoutes(ledger, exportToken), forPeople: false }] : []),
    ...(ciba ? [{ router: ciba, forPeople: true }] : []),
    ...(demo ? [{ router: demo.module.demoRouter(config, demo.clients), forPeople: true }] : []),
  ];
  provider.use(webLayer(routes, logger).handler);

  let server: Server | undefined;
  /** responses not yet sent: the ones a forced close at the deadline cuts */
  const inFlight = new Set<ServerResponse>();
  let unfinished = 0;

  const idp: Idp = {
    provider,
    store,
    accounts,
    sources,
    ledger,
    config,
    audit: trail,
    metrics,
    listen(port = config.port, host = listenHost(config)) {
      return new Promise((resolve, reject) => {
        const tls = config.tlsMaterial.server;
        const callback = provider.callback();
        // EP-11: the client's address and scheme only as a trusted proxy states them.
        const trust = proxyTrust(config.proxy);
        const handle = (req: IncomingMessage, res: ServerResponse) => {
          if (trust) normaliseForwarded(req, trust);
          // Draining: each keep-alive connection closes once its current response is sent.
          if (shuttingDown) res.setHeader('connection', 'close');
          inFlight.add(res);
          res.once('close', () => inFlight.delete(res));
          void callback(req, res);
        };
        // EP-11: TLS here when configured; mTLS asks for (but does not demand) a client
        // certificate, so each client's registration decides what it must present (EP-2).
        server = tls
          ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', requestCert: config.mtls.enabled, rejectUnauthorized: false }, handle)
          : createHttpServer(handle);
        attachHttpErrorLogs(server, logger);
        // EP-11: idle keep-alive connections outlive a proxy's, so it never reuses one we close.
        server.keepAliveTimeout = KEEP_ALIVE_MS;
        server.headersTimeout = KEEP_ALIVE_MS + 1_000;
        server.listen(port, host, () => {
          const address = server?.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
        server.on('error', reject);
      });
    },
    reloadKeys() {
      keyWatcher?.reload('SIGHUP');
    },
    async close({ drainMs = 0, deadlineMs = 10_000 }: CloseOptions = {}) {
      // /readyz answers 503 from now on; responses carry Connection: close.
      shuttingDown = true;
      keyWatcher?.close();
      const listening = server;
      if (listening) {
        // Forced close only at the deadline: a request still running then is cut.
        const force = setTimeout(() => {
          unfinished = inFlight.size;
          listening.closeAllConnections();
        }, deadlineMs);
        force.unref();
        // Requests are served while load balancers notice /readyz.
        if (drainMs > 0) await sleep(Math.min(drainMs, deadlineMs));
        // New connections are refused from here; connections end as their requests finish
        // (idle ones now), and the promise resolves with the last.
        const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
        listening.closeIdleConnections();
        await closed;
        clearTimeout(force);
      }
      await ledger.close();
      await sources.close();
      await store.close();
      return { unfinished };
    },
  };
  return withOperations(idp, { storeWatch, isShuttingDown: () => shuttingDown });
}
