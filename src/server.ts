// The running IdP: the provider (a Koa app) with our pages and operations routes in
// front of it. Everything a request can reach is assembled here, once, at start-up.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Provider } from 'oidc-provider';
import { createFileAccountStore, type AccountStore } from './accounts/store.js';
import { attachCiba, type CibaOptions } from './ciba/index.js';
import { ConfigError } from './config/errors.js';
import { exportRoutes } from './consent/admin.js';
import { rememberedGrantLoader } from './consent/grants.js';
import { createLedger, type ConsentLedger } from './consent/index.js';
import { limitDecisions } from './consent/limits.js';
import { consentTextVersion } from './consent/text.js';
import type { Config, Jwks } from './config/load.js';
import { accountRoutes } from './interactions/account.js';
import { pageErrors } from './interactions/errors.js';
import { interactionRoutes } from './interactions/routes.js';
import { createSignIn } from './interactions/login.js';
import { securityHeaders } from './ops/headers.js';
import { silentLogger, type Logger } from './ops/log.js';
import { docsRoutes } from './ops/docs.js';
import { gate, routesOf, type Handler } from './ops/gate.js';
import { normaliseForwarded, proxyTrust } from './ops/proxy.js';
import { limitStateCreation } from './ops/rate-limit.js';
import { opsRoutes } from './ops/routes.js';
import { smartRoutes } from './ops/smart.js';
import { attachClientAuthExplanations, refuseBasicAuth } from './provider/client-auth.js';
import { clientAuthMethods } from './provider/mtls.js';
import { anonymousLogout } from './provider/logout.js';
import { keepRefreshTokenOnFailure } from './provider/refresh.js';
import { enabledSigningAlgs } from './policy/algorithms.js';
import { offeredResponseTypes } from './policy/classification.js';
import { checkDeployment } from './policy/deployment.js';
import { createProvider } from './provider/index.js';
import { ephemeralJwks } from './provider/keys.js';
import { providerJwks } from './keys/lifecycle.js';
import { watchSigningKeys, type WatchOptions } from './keys/reload.js';
import { annotateGrantError, ruleAnnotations } from './provider/rule-annotations.js';
import { createStore, type Store } from './storage/index.js';

/** Where our own routes live (each module's paths); every other path is the library's. */
const PAGE_PATHS = ['/healthz', '/readyz', '/static/', '/docs', '/.well-known/smart-configuration', '/interaction/', '/account', '/admin/', '/ciba/', '/demo'];

export interface Idp {
  provider: Provider;
  store: Store;
  accounts: AccountStore;
  /** OIDC-8: the consent ledger */
  ledger: ConsentLedger;
  config: Config;
  /** start listening; resolves with the bound port */
  listen(port?: number, host?: string): Promise<number>;
  /** stop accepting, finish in-flight requests, close the store */
  close(): Promise<void>;
  /** EP-7: re-read the signing-key file now (SIGHUP); a no-op without one */
  reloadKeys(): void;
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
}

export async function createIdp(fileConfig: Config, options: IdpOptions = {}): Promise<Idp> {
  const logger = options.logger ?? silentLogger;
  // Development mode's demo relying party brings its own clients, checked like any other.
  const demo = fileConfig.demo.enabled ? await import('./demo/index.js') : undefined;
  const withDemo = demo ? await demo.withDemoClients(fileConfig) : undefined;
  const config = withDemo?.config ?? fileConfig;
  const policy = checkDeployment(config);
  if (policy.problems.length) throw new ConfigError(config.source, policy.problems);

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

  const store = await createStore(config);
  const accounts = options.accounts ?? (await createFileAccountStore(config.accounts));
  // OIDC-8: every decision recorded, but not as fast as someone can click (consent/limits.ts).
  // Shared by every replica on Redis (issue: abuse across replicas); keys are keyed hashes.
  const counters = { redis: store.redis, keyPrefix: config.store.type === 'redis' ? config.store.keyPrefix : '', lookupKey: config.secrets.lookupKey };
  const ledger = limitDecisions(options.ledger ?? (await createLedger(config)), config.consent.decisionLimits, counters);
  const { exportToken } = config.secrets;
  // OIDC-7: a consent given in an earlier session is remembered until it expires.
  const provider = createProvider(config, policy, store, accounts, jwks, { loadExistingGrant: rememberedGrantLoader(ledger) });
  let shuttingDown = false;
  const keyWatcher = config.signingJwks && config.signingJwksPath ? watchSigningKeys(provider, config.signingJwksPath, config.signingJwks, logger, options.keyWatch) : undefined;

  provider.on('grant.error', annotateGrantError);
  attachClientAuthExplanations(provider, config.algorithms.clientAuthentication);
  provider.on('server_error', (_ctx, err) => logger.log('error', 'provider.server_error', { error: err.name, message: err.message }));

  provider.use(securityHeaders());
  provider.use(ruleAnnotations());
  provider.use(refuseBasicAuth(provider, clientAuthMethods(config)));
  provider.use(keepRefreshTokenOnFailure());
  provider.use(limitStateCreation(config.limits.stateCreating, counters));
  provider.use(anonymousLogout(provider));
  // One throttled sign-in for every password form (login, consents page, CIBA page).
  const signIn = createSignIn(config, store, accounts);
  const consentText = consentTextVersion(config);
  const consentDeps = { provider, config, ledger, signIn, consentText, logger };
  const interactions = interactionRoutes(consentDeps);
  const account = accountRoutes({ ...consentDeps, store });
  const ciba = attachCiba(provider, { config, store, signIn, logger, options: options.ciba, recording: { ledger, consentText } });
  const pages: Handler[] = [
    pageErrors(logger),
    routesOf(opsRoutes(store, () => shuttingDown)),
    routesOf(docsRoutes(config)),
    routesOf(smartRoutes(config, clientAuthMethods(config), offeredResponseTypes(policy.options))),
    routesOf(interactions),
    routesOf(account),
    ...(exportToken ? [routesOf(exportRoutes(ledger, exportToken))] : []),
    ...(ciba ? [routesOf(ciba)] : []),
    ...(demo && withDemo ? [routesOf(demo.demoRouter(config, withDemo.clients))] : []),
  ];
  provider.use(gate(PAGE_PATHS, pages));

  let server: Server | undefined;

  return {
    provider,
    store,
    accounts,
    ledger,
    config,
    listen(port = config.port, host) {
      return new Promise((resolve, reject) => {
        const tls = config.tlsMaterial.server;
        const callback = provider.callback();
        // EP-11: the client's address and scheme only as a trusted proxy states them.
        const trust = proxyTrust(config.proxy);
        const handle = (req: IncomingMessage, res: ServerResponse) => {
          if (trust) normaliseForwarded(req, trust);
          void callback(req, res);
        };
        // EP-11: TLS here when configured; mTLS asks for (but does not demand) a client
        // certificate, so each client's registration decides what it must present (EP-2).
        server = tls
          ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', requestCert: config.mtls.enabled, rejectUnauthorized: false }, handle)
          : createHttpServer(handle);
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
    async close() {
      shuttingDown = true;
      keyWatcher?.close();
      if (server) {
        const closed = new Promise<void>((resolve) => server?.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server?.closeAllConnections(), 10_000);
        force.unref();
        await closed;
        clearTimeout(force);
      }
      await ledger.close();
      await store.close();
    },
  };
}
