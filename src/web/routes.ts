// The one route registry: every route of ours (pages, operations, documents) is declared
// once, in its module's router (method, path, handler); the registry lists the routers and
// says which serve people. From it come both the paths that reach our routes at all (the
// gate in front of the library's endpoints) and the paths whose errors become readable
// pages (errors.ts) — no hand-kept list of paths.
import type Router from '@koa/router';
import type { Logger } from '../ops/log.js';
import { pageErrors } from './errors.js';
import { gate, routesOf, type Handler } from './gate.js';

export interface RouteGroup {
  /** the module's routes, as its router declares them */
  router: Router;
  /** pages for people (sign-in, consent, account, CIBA, demo): errors become readable pages, never a stack trace */
  forPeople: boolean;
}

/** The fixed start of a route's path: up to its first parameter, without a trailing slash. */
export function pathPrefixOf(path: string): string {
  const fixed = path.split(/[:(*{]/)[0] ?? '';
  return fixed.length > 1 ? fixed.replace(/\/+$/, '') : fixed;
}

/** The paths that lead to the routers' routes (shortest prefixes, each once). */
export function pathsOf(routers: readonly Router[]): string[] {
  const all = routers.flatMap((router) => router.stack.filter((layer) => layer.methods.length > 0).map((layer) => pathPrefixOf(String(layer.path))));
  const unique = [...new Set(all)].sort((a, b) => a.length - b.length);
  return unique.filter((p, i) => !unique.slice(0, i).some((shorter) => p.startsWith(shorter)));
}

export interface WebLayer {
  /** what the provider uses: our routes in front, every other path straight to the library */
  handler: Handler;
  /** the paths our routes answer (the rest are the library's) */
  paths: string[];
  /** the paths whose errors are readable pages */
  pagePaths: string[];
}

export function webLayer(groups: readonly RouteGroup[], logger: Logger): WebLayer {
  const paths = pathsOf(groups.map((g) => g.router));
  const pagePaths = pathsOf(groups.filter((g) => g.forPeople).map((g) => g.router));
  const handler = gate(paths, [pageErrors(logger, pagePaths), ...groups.map((g) => routesOf(g.router))]);
  return { handler, paths, pagePaths };
}
