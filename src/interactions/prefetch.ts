// #13.7: an interaction page's two reads at once. The library reads the interaction its
// cookie names, then the session the interaction names by uid: two round trips to Redis,
// one after the other. The browser's own (signed) cookies name both, so the store reads
// them together before the library asks (Store.prefetch, into this request's opened
// records only); the library's finds, and every check it makes on them, are unchanged.
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { Store } from '../storage/store.js';

export async function prefetchInteraction(provider: Provider, store: Store, ctx: Context): Promise<void> {
  if (!store.prefetch) return;
  // Koa verifies each cookie's signature with the provider's cookie keys (as the library does).
  const interaction = ctx.cookies.get(provider.cookieName('interaction'));
  const session = ctx.cookies.get(provider.cookieName('session'));
  if (!interaction) return;
  await store.prefetch([{ model: 'Interaction', id: interaction }, ...(session ? [{ model: 'Session', id: session }] : [])]);
}
