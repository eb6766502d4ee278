// Operations: liveness, readiness (the store answers), the stylesheet and the icon.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Router from '@koa/router';
import { VIEWS } from '../paths.js';
import type { Store } from '../storage/store.js';

export function opsRoutes(store: Store, isShuttingDown: () => boolean): Router {
  const router = new Router();
  const css = readFile(join(VIEWS, 'static', 'style.css'));
  const icon = readFile(join(VIEWS, 'static', 'favicon.svg'));

  router.get('/healthz', (ctx) => {
    ctx.set('cache-control', 'no-store');
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    ctx.set('cache-control', 'no-store');
    const storeReady = await store.ready().catch(() => false);
    const ready = !isShuttingDown() && storeReady;
    ctx.status = ready ? 200 : 503;
    // Why, when we know (a full memory store); never record contents.
    const reason = isShuttingDown() ? 'shutting down' : storeReady ? undefined : store.notReadyReason?.();
    ctx.body = { status: ready ? 'ready' : 'unavailable', store: store.kind, ...(reason ? { reason } : {}) };
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
