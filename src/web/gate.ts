// Our own pages and routes sit in front of the library. Requests for the library's
// endpoints (token, JWKS, discovery, …) skip them with one prefix test instead of a
// walk through every router: the token endpoint is the hot path (test/bench).
import { METHODS } from 'node:http';
import type Router from '@koa/router';
import type { Context, Next } from 'koa';

export type Handler = (ctx: Context, next: Next) => Promise<void>;

/** A router's dispatch (with its 405 answers for a known path and wrong method) as a plain handler. */
export function routesOf(router: Router): Handler {
  // Every method Node accepts counts as known, so PROPFIND, SEARCH or TRACE on one of our
  // paths gets 405 with Allow (or 404 on no path) like any wrong method — the router's
  // default for a method outside its short list is 501 Not Implemented.
  router.methods = [...METHODS];
  const routes = router.routes() as unknown as Handler;
  const allowed = router.allowedMethods() as unknown as Handler;
  return (ctx, next) => routes(ctx, () => allowed(ctx, next));
}

export function gate(prefixes: readonly string[], handlers: readonly Handler[]): Handler {
  const run = async (i: number, ctx: Context, next: Next): Promise<void> => {
    const handler = handlers[i];
    if (handler) await handler(ctx, () => run(i + 1, ctx, next));
    else await next();
  };
  return async (ctx, next) => {
    if (prefixes.some((p) => ctx.path.startsWith(p))) await run(0, ctx, next);
    else await next();
  };
}
