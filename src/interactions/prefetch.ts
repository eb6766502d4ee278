// #13.7: an interaction page's two reads at once. The library reads the interaction its
// cookie names, then the session the interaction names by uid: two round trips to Redis,
// one after the other. The browser's own (signed) cookies name both, so the store reads
// them together before the library asks (Store.prefetch, into this request's opened
// records only); the library's finds, and every check it makes on them, are unchanged.
// The library's resume request (GET /authorize/:uid, after the pages) reads the same two,
// the interaction named by its own path-scoped cookie.
import type { Context, Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import type { Store } from '../storage/store.js';

/** Reads the interaction the `cookie` names and the browser's session at once. */
async function prefetch(provider: Provider, store: Store, ctx: Context, cookie: 'interaction' | 'resume'): Promise<void> {
  if (!store.prefetch) return;
  // Koa verifies each cookie's signature with the provider's cookie keys (as the library does).
  const interaction = ctx.cookies.get(provider.cookieName(cookie));
  const session = ctx.cookies.get(provider.cookieName('session'));
  if (!interaction) return;
  await store.prefetch([{ model: 'Interaction', id: interaction }, ...(session ? [{ model: 'Session', id: session }] : [])]);
}

export function prefetchInteraction(provider: Provider, store: Store, ctx: Context): Promise<void> {
  return prefetch(provider, store, ctx, 'interaction');
}

/** Koa middleware in front of the library: its resume request (GET <authorization>/:uid) gets both records in one read. */
export function prefetchResume(provider: Provider, store: Store, authorizationPath: string): Middleware {
  const prefix = `${authorizationPath}/`;
  return async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path.startsWith(prefix) && !ctx.path.includes('/', prefix.length)) await prefetch(provider, store, ctx, 'resume');
    await next();
  };
}
