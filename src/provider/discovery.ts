// Discovery and JWKS are static for a deployment (issue 13 item 7): the library's answer is
// taken once, completed (OIDC-6: discovery lists every scope this deployment offers, API
// scopes included; the library publishes only its identity scopes), and then served as
// bytes with a strong ETag and Cache-Control, 304 when the caller already has them.
//
// Only requests for the issuer's own origin are answered from the cache: the library
// writes endpoint URLs from the request's host, so any other host goes to the library
// (completed the same way, not cached). EP-7: a key change calls forget(), and the next
// /jwks is taken afresh. OPTIONS (CORS preflight) stays with the library.
import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Config } from '../config/load.js';
import { knownScopes, scopesSupported } from '../policy/scopes.js';

export const DISCOVERY_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/jwks';

interface Cached {
  body: Buffer;
  etag: string;
}

interface Document {
  type: string;
  /** JWKS changes with a key rotation; relying parties must refetch well within `--promote-after` (1 h by default). */
  cacheControl: string;
  complete?: (body: Record<string, unknown>) => void;
  cached?: Cached | undefined;
}

export interface StaticDocuments {
  middleware: Middleware;
  /** EP-7: the published keys changed; take /jwks from the library again */
  forget: () => void;
}

// Koa 3's ctx.origin is the Origin header; the request's own origin is built here.
const originOf = (ctx: Context): string => `${ctx.protocol}://${ctx.host}`;
/**
 * RFC 9110 13.1.2: If-None-Match is evaluated by the origin whatever the request's
 * Cache-Control says (Koa's ctx.fresh treats `no-cache`, which fetch adds to conditional
 * requests, as "send it all").
 */
function matches(ifNoneMatch: string, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

const isObject = (body: unknown): body is Record<string, unknown> => typeof body === 'object' && body !== null && !Buffer.isBuffer(body);

export function staticDocuments(config: Config): StaticDocuments {
  const scopes = scopesSupported(knownScopes(config.scopes, config.resourceServers));
  const origin = new URL(config.issuer).origin;
  const documents = new Map<string, Document>([
    [DISCOVERY_PATH, { type: 'application/json; charset=utf-8', cacheControl: 'public, max-age=3600', complete: (body) => void (body.scopes_supported = scopes) }],
    [JWKS_PATH, { type: 'application/jwk-set+json; charset=utf-8', cacheControl: 'public, max-age=300' }],
  ]);

  let generation = 0;

  const send = (ctx: Context, doc: Document, cached: Cached) => {
    // What the library's CORS answers for these open endpoints: any origin may read them.
    ctx.vary('Origin');
    const from = ctx.get('origin');
    if (from) ctx.set('access-control-allow-origin', from);
    ctx.set('etag', cached.etag);
    ctx.set('cache-control', doc.cacheControl);
    ctx.status = 200;
    if (matches(ctx.get('if-none-match'), cached.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.type = doc.type;
    ctx.body = cached.body;
  };

  const middleware: Middleware = async (ctx, next) => {
    const doc = documents.get(ctx.path);
    if (!doc || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    if (doc.cached && originOf(ctx) === origin) return send(ctx, doc, doc.cached);
    const taken = generation;
    await next();
    if (ctx.status !== 200 || !isObject(ctx.body)) return;
    doc.complete?.(ctx.body);
    // Not cached for another host, nor when the keys changed while the library answered.
    if (originOf(ctx) !== origin || taken !== generation) return;
    const body = Buffer.from(JSON.stringify(ctx.body));
    doc.cached = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    send(ctx, doc, doc.cached);
  };

  return {
    middleware,
    forget: () => {
      generation += 1;
      const jwks = documents.get(JWKS_PATH);
      if (jwks) jwks.cached = undefined;
    },
  };
}
