// Operations: liveness, readiness (the store answers), the stylesheet and the icon.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Router from '@koa/router';
import { VIEWS } from '../paths.js';
import type { Store } from '../storage/store.js';

/** Each identity source that can be asked (a directory), and whether it answers. */
export type SourceReadiness = () => Promise<{ id: string; ready: boolean }[]>;

export function opsRoutes(store: Store, isShuttingDown: () => boolean, sourceReadiness: SourceReadiness = () => Promise.resolve([])): Router {
  const router = new Router();
  const css = readFile(join(VIEWS, 'static', 'style.css'));
  const icon = readFile(join(VIEWS, 'static', 'favicon.svg'));

  router.get('/healthz', (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    const [storeReady, sources] = await Promise.all([store.ready().catch(() => false), sourceReadiness().catch(() => [])]);
    // A directory away stops only its own people signing in, and it is away for every
    // replica alike: taking them all out of service would stop everyone else too. So the
    // answer stays 200, says `degraded` and names the source.
    const unreachable = sources.filter((s) => !s.ready).map((s) => s.id);
    const ready = !isShuttingDown() && storeReady;
    ctx.status = ready ? 200 : 503;
    // Why, when we know (a full memory store); never record contents.
    const reason = isShuttingDown() ? 'shutting down' : storeReady ? undefined : store.notReadyReason?.();
    const status = !ready ? 'unavailable' : unreachable.length ? 'degraded' : 'ready';
    ctx.body = { status, store: store.kind, ...(reason ? { reason } : {}), ...(unreachable.length ? { unreachableSources: unreachable } : {}) };
  });

  router.get('/static/style.css', async (ctx) => {
    ctx.type = 'text/css';
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.body = await css;
  });

  // The pages link /static/favicon.svg; browsers still ask for /favicon.ico (for JSON
  // responses, for instance), so both answer with the icon instead of a logged 404.
  router.get(['/static/favicon.svg', '/favicon.ico'], async (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.set('cache-control', 'public, max-age=86400');
    ctx.body = await icon;
  });

  return router;
}
