// What runs in front of the library on every request, in order: the request scope of stored
// records, logs and metrics, audit, security headers, precomputed documents, the store's
// 503, rule annotations, client-authentication and refresh guards, request limits, logout,
// and the resume request's two reads at once.
import type { Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import type { AuditTrail } from '../ops/audit.js';
import { logKoaErrors } from '../ops/http-errors.js';
import type { Logger } from '../ops/log.js';
import type { Metrics } from '../ops/metrics.js';
import { attachProviderEvents, revocationAudit } from '../ops/provider-events.js';
import { proxyTrust } from '../ops/proxy.js';
import { limitStateCreation } from '../ops/rate-limit.js';
import { fromTrustedProxy, requestContext } from '../ops/requests.js';
import { storeUnavailable } from '../ops/unavailable.js';
import { attachClientAuthExplanations, refuseBasicAuth } from '../provider/client-auth.js';
import type { StaticDocuments } from '../provider/discovery.js';
import { prefetchResume } from '../interactions/prefetch.js';
import { ROUTES } from '../provider/configuration.js';
import { anonymousLogout } from '../provider/logout.js';
import { clientAuthMethods } from '../provider/mtls.js';
import { keepRefreshTokenOnFailure } from '../provider/refresh.js';
import { annotateGrantError, ruleAnnotations } from '../provider/rule-annotations.js';
import type { CounterBackend } from '../storage/limiter.js';
import { requestScopedRecords } from '../storage/request-scope.js';
import type { Store } from '../storage/store.js';
import { securityHeaders } from '../web/headers.js';

export interface MiddlewareDeps {
  config: Config;
  logger: Logger;
  trail: AuditTrail;
  metrics: Metrics;
  documents: StaticDocuments;
  counters: CounterBackend & { lookupKey: Buffer };
  store: Store;
}

export function useProviderMiddleware(provider: Provider, { config, logger, trail, metrics, documents, counters, store }: MiddlewareDeps): void {
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
  // #13.7: the resume request's session and interaction in one read, once the guards above let it through.
  provider.use(prefetchResume(provider, store, ROUTES.authorization));
}
