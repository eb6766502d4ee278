// Errors of our own pages (sign-in, consent, consents) become readable pages with the
// right status; nothing internal (no stack, no parameters) reaches a person.
import type { Context, Next } from 'koa';
import { errors } from 'oidc-provider';
import type { Logger } from '../ops/log.js';
import { requestIdOf } from '../ops/requests.js';
import { StoreUnavailableError } from '../storage/store.js';
import { FormError } from './form.js';
import { sendPage } from './render.js';

/** The store (Redis, or a full memory store) cannot take the request: say so plainly, and that trying again will work. */
export async function sendUnavailablePage(ctx: Context): Promise<void> {
  ctx.set('retry-after', '5');
  await sendPage(ctx, 'error', { title: 'Briefly unavailable', message: 'The sign-in service is briefly unavailable. Please wait a moment and try again.', code: 'temporarily_unavailable' }, 503);
}

/**
 * `pagePaths`: where people (not clients) are, from the route registry (routes.ts); the
 * library's own endpoints answer clients in OAuth terms.
 */
export function pageErrors(logger: Logger, pagePaths: readonly string[]): (ctx: Context, next: Next) => Promise<void> {
  return async (ctx: Context, next: Next) => {
    try {
      await next();
    } catch (err) {
      if (!pagePaths.some((prefix) => ctx.path.startsWith(prefix))) throw err;
      const requestId = requestIdOf(ctx);
      if (ctx.req.socket.destroyed || ['ECONNRESET', 'ECONNABORTED'].includes(String((err as NodeJS.ErrnoException).code))) {
        // The browser went away mid-request: nobody to answer, nothing wrong here. Once, quietly.
        logger.log('info', 'request.aborted', { requestId, path: ctx.path.replace(/\/interaction\/[^/]+/, '/interaction/:uid') });
        ctx.status = 400;
        ctx.body = '';
        return;
      }
      if (err instanceof StoreUnavailableError) {
        // The store (Redis, or a full memory store) cannot take it: say so plainly.
        logger.log('warn', 'interaction.unavailable', { requestId, path: ctx.path.replace(/\/interaction\/[^/]+/, '/interaction/:uid') });
        await sendUnavailablePage(ctx);
      } else if (err instanceof errors.SessionNotFound || err instanceof errors.InvalidRequest) {
        await sendPage(ctx, 'error', { title: 'This sign-in has expired', message: 'This sign-in page is no longer valid: it has expired, was already used, or was opened in another browser.', code: 'session_not_found' }, 400);
      } else if (err instanceof FormError) {
        await sendPage(ctx, 'error', { title: 'The form could not be used', message: err.message }, err.status);
      } else {
        logger.log('error', 'interaction.error', { requestId, path: ctx.path.replace(/\/interaction\/[^/]+/, '/interaction/:uid'), error: (err as Error).name });
        await sendPage(ctx, 'error', { title: 'Something went wrong', message: 'Something went wrong on our side. Please try again.', code: 'server_error' }, 500);
      }
    }
  };
}
