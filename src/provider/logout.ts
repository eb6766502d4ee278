// The end-session endpoint for someone who is not signed in. The library answers every
// GET /logout by creating a session (to hold the logout form's CSRF secret and the
// return address) and storing it for `lifetimes.session`: anyone could fill the store
// with sessions of nobody. Without a live session there is nothing to end, so answer
// here, storing nothing: back to a registered post-logout address, or our own page.
import type { Context, Middleware } from 'koa';
import type { Provider } from 'oidc-provider';
import { sendPage } from '../web/render.js';

const MAX_BODY = 16 * 1024;

type Params = Partial<Record<'id_token_hint' | 'post_logout_redirect_uri' | 'state' | 'client_id', string>>;

async function formBody(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) return new URLSearchParams();
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) break;
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function pick(source: URLSearchParams): Params {
  const out: Params = {};
  for (const name of ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id'] as const) {
    const value = source.get(name);
    if (value) out[name] = value;
  }
  return out;
}

function hintAudience(hint: string): string | undefined {
  try {
    const { aud } = JSON.parse(Buffer.from(hint.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown };
    const first: unknown = Array.isArray(aud) ? aud[0] : aud;
    return typeof first === 'string' ? first : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where to send the person: the post_logout_redirect_uri when it is registered for the
 * client named by a valid id_token_hint or client_id (EP-3, as the library checks it);
 * `null` for a return address that is not acceptable; undefined for none asked.
 */
async function returnAddress(provider: Provider, params: Params): Promise<string | null | undefined> {
  const uri = params.post_logout_redirect_uri;
  if (!uri) return undefined;
  const clientId = params.id_token_hint ? hintAudience(params.id_token_hint) : params.client_id;
  if (!clientId || (params.client_id && params.client_id !== clientId)) return params.id_token_hint || params.client_id ? null : undefined;
  const client = await provider.Client.find(clientId).catch(() => undefined);
  if (!client) return null;
  if (params.id_token_hint) {
    const valid = await provider.IdToken.validate(params.id_token_hint, client).then(() => true, () => false);
    if (!valid) return null;
  }
  if (!client.postLogoutRedirectUriAllowed(uri)) return null;
  const target = new URL(uri);
  if (params.state) target.searchParams.set('state', params.state);
  return target.href;
}

export function anonymousLogout(provider: Provider, path = '/logout'): Middleware {
  return async (ctx, next) => {
    if (ctx.path !== path || (ctx.method !== 'GET' && ctx.method !== 'POST')) {
      await next();
      return;
    }
    const sessionId = ctx.cookies.get(provider.cookieName('session'), { signed: true });
    if (sessionId && (await provider.Session.find(sessionId))) {
      await next();
      return;
    }
    const params = pick(ctx.method === 'GET' ? new URLSearchParams(ctx.querystring) : await formBody(ctx));
    const target = await returnAddress(provider, params);
    if (target === null) {
      await sendPage(ctx, 'error', {
        title: 'Sign-out problem',
        message: 'The application asked to send you back to an address it has not registered.',
        code: 'invalid_request',
        detail: 'post_logout_redirect_uri is not registered for this client (EP-3)',
      }, 400);
      return;
    }
    ctx.set('cache-control', 'no-store');
    if (target) {
      ctx.status = 303;
      ctx.redirect(target);
      return;
    }
    await sendPage(ctx, 'logged-out', { title: 'Signed out' });
  };
}
