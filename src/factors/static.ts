// The passkey pages' two scripts, served from our origin (CSP script-src 'self', no inline
// script): @simplewebauthn/browser's bundle, and views/static/passkey.js which hands the
// page's options to it and posts the answer in the page's own form.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import type { Context } from 'koa';
import { VIEWS } from '../paths.js';

export function factorStatic(): Router {
  const router = new Router();
  const require = createRequire(import.meta.url);
  // The package's own browser bundle (it sets window.SimpleWebAuthnBrowser).
  const bundle = readFile(join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js'));
  const script = readFile(join(VIEWS, 'static', 'passkey.js'));
  const send = (body: Promise<Buffer>) => async (ctx: Context) => {
    ctx.type = 'text/javascript';
    ctx.set('cache-control', 'public, max-age=3600');
    ctx.body = await body;
  };
  router.get('/static/webauthn.js', send(bundle));
  router.get('/static/passkey.js', send(script));
  return router;
}
