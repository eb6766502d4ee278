// Per-address limits for the endpoints that create state for whoever asks: an
// authorization request (an interaction record), a pushed request (a stored request
// object) and logout. A flood from one address gets 429 with Retry-After, not stored
// records. Keyed by ctx.ip, which is the client's address only as src/ops/proxy.ts lets
// a trusted proxy state it. On the Redis store every replica counts the same requests.
import type { Middleware } from 'koa';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { sendPage } from '../web/render.js';
import { counterKey, createCounter, type CounterBackend } from '../storage/limiter.js';
import { StoreUnavailableError } from '../storage/store.js';

export interface AddressLimit {
  /** requests per address in `window` seconds, across the limited endpoints */
  requests: number;
  window: number;
}

/** The library's paths that create state for a caller who need not be anyone. */
export const STATE_CREATING_PATHS = ['/authorize', '/par', '/logout'] as const;

export function limitStateCreation(limit: AddressLimit, backend: CounterBackend = {}, paths: readonly string[] = STATE_CREATING_PATHS): Middleware {
  const limiter = createCounter(backend, { name: 'state', points: limit.requests, duration: limit.window });
  const limited = new Set(paths);
  return async (ctx, next) => {
    if (!limited.has(ctx.path)) {
      await next();
      return;
    }
    try {
      await limiter.consume(counterKey(backend.lookupKey, 'address', ctx.ip || 'unknown'));
    } catch (err) {
      // The shared count cannot be reached (Redis away): the store is away too, say so (503).
      if (!(err instanceof RateLimiterRes)) throw new StoreUnavailableError('request limit unreachable', { cause: err });
      const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
      ctx.set('retry-after', String(retryAfter));
      ctx.set('cache-control', 'no-store');
      const description = `too many requests from this address; try again in ${retryAfter} s`;
      if (ctx.path === '/par' || ctx.accepts('html', 'json') === 'json') {
        ctx.status = 429;
        ctx.body = { error: 'temporarily_unavailable', error_description: description };
        return;
      }
      await sendPage(ctx, 'error', {
        title: 'Too many requests',
        message: 'Too many sign-in requests came from your network in a short time. Please wait a moment, then try again.',
        code: 'too_many_requests',
        detail: description,
      }, 429);
      return;
    }
    await next();
  };
}
