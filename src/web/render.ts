// Pages are EJS views in views/, rendered into views/layout.ejs. Every page is served
// with no-store caching and the strict headers of web/headers.ts.
import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { requestIdOf } from '../ops/requests.js';
import { VIEWS } from '../paths.js';

export interface PageLocals {
  title: string;
  [key: string]: unknown;
}

export async function renderPage(view: string, locals: PageLocals): Promise<string> {
  // cache: compile each view once per process, not on every page (about 0.7 ms a page).
  const body = await ejs.renderFile(join(VIEWS, `${view}.ejs`), locals, { async: true, cache: true });
  return ejs.renderFile(join(VIEWS, 'layout.ejs'), { ...locals, body }, { async: true, cache: true });
}

export async function sendPage(ctx: Context, view: string, locals: PageLocals, status = 200): Promise<void> {
  ctx.status = status;
  ctx.type = 'html';
  ctx.set('cache-control', 'no-store');
  // The request id on every page, so a person can quote it to a help desk (error pages show it).
  ctx.body = await renderPage(view, { requestId: requestIdOf(ctx), ...locals });
}
