// The last catch for a store that cannot take a write (Redis away, a full memory store):
// the library saves a touched session after its own error handling
// (initialize_app.js ensureSessionSave), so that failure would reach Koa's default handler
// as a bare "temporarily_unavailable" text without our headers. Answer it the way every
// other store failure is answered: a readable page for people, OAuth JSON for clients.
import type { Middleware } from 'koa';
import { sendUnavailablePage } from '../web/errors.js';
import { StoreUnavailableError } from '../storage/store.js';

export function storeUnavailable(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || ctx.headerSent) throw err;
      // Only browser endpoints (those with a session) get here in practice: a page unless JSON is asked for.
      if (ctx.accepts('html', 'json') === 'html') {
        await sendUnavailablePage(ctx);
        return;
      }
      ctx.status = 503;
      ctx.set('retry-after', '5');
      ctx.set('cache-control', 'no-store');
      ctx.body = { error: err.error, error_description: err.error_description };
    }
  };
}
