// Every request gets an id and one access-log line. The id comes from X-Request-Id only
// when a trusted proxy sent it (anyone else could forge a colleague's id); otherwise it is
// made up here. It is returned in X-Request-Id and shown on error pages, so a person can
// quote it to a help desk and an operator can find the request's lines.
import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { AuditTrail } from './audit.js';
import type { Logger } from './log.js';
import { clientAddress, type ProxyTrust } from './proxy.js';
import { withinRequest, type RequestScope } from './request-scope.js';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A proxy's id is used only if it looks like one: no room for log injection or a secret. */
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

/** The id of this request (set by `requestContext`). */
export function requestIdOf(ctx: { state?: unknown }): string | undefined {
  const id = (ctx.state as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * The route template that served a request — never the raw path, which can hold an
 * interaction id, a client id or anything a caller typed. Both @koa/router and the
 * library's router record the template they matched.
 */
export function routeOf(ctx: Context): string {
  const matched = (ctx as unknown as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched === 'string') return matched;
  if (ctx.path.startsWith('/static/')) return '/static/*';
  return 'unmatched';
}

export function methodOf(ctx: Context): string {
  return METHODS.has(ctx.method) ? ctx.method : 'OTHER';
}

/**
 * Did this request come from a proxy the deployment trusts (`proxy` in the deployment file,
 * src/ops/proxy.ts)? With a hop count every peer is the proxy; with proxy addresses, only those.
 */
export function fromTrustedProxy(peer: string | undefined, trust: ProxyTrust | undefined): boolean {
  if (!trust) return false;
  return clientAddress((peer ?? '').replace(/^::ffff:/, ''), undefined, trust) !== undefined;
}

export interface RequestObservation {
  method: string;
  route: string;
  status: number;
  seconds: number;
}

export interface RequestContextOptions {
  logger: Logger;
  /**
   * Whether this request came through a proxy we trust, so that its X-Request-Id can be
   * taken (`fromTrustedProxy`).
   */
  trustsProxy: (ctx: Context) => boolean;
  audit?: AuditTrail;
  /** Called once per request after the response is decided (metrics). */
  observe?: (o: RequestObservation) => void;
}

export function requestContext({ logger, trustsProxy, audit, observe }: RequestContextOptions): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const given = ctx.get(REQUEST_ID_HEADER);
    const requestId = given && WELL_FORMED_ID.test(given) && trustsProxy(ctx) ? given : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set(REQUEST_ID_HEADER, requestId);
    const scope: RequestScope = { requestId, address: ctx.ip, audit };
    let status = 500;
    try {
      await withinRequest(scope, next);
      status = ctx.status;
    } catch (err) {
      // Koa turns this into the response; the access line records what it will be.
      const s = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
      status = typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
      throw err;
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(ctx);
      const method = methodOf(ctx);
      const clientId = (ctx as unknown as { oidc?: { client?: { clientId?: string } } }).oidc?.client?.clientId ?? scope.clientId;
      logger.log(status >= 500 ? 'warn' : 'info', 'http.request', {
        requestId,
        method,
        route,
        status,
        durationMs: Math.round(seconds * 1e4) / 10,
        ...(clientId ? { clientId } : {}),
      });
      observe?.({ method, route, status, seconds });
    }
  };
}
