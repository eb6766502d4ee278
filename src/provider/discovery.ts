// OIDC-6: discovery lists every scope this deployment offers, API scopes included. The
// library publishes only its own (identity) scopes, so the answer is completed here.
import type { Middleware } from 'koa';
import type { Config } from '../config/load.js';
import { knownScopes, scopesSupported } from '../policy/scopes.js';

const DISCOVERY = '/.well-known/openid-configuration';

export function discoveryScopes(config: Config): Middleware {
  const scopes = scopesSupported(knownScopes(config.scopes, config.resourceServers));
  return async (ctx, next) => {
    await next();
    if (ctx.path === DISCOVERY && ctx.status === 200 && typeof ctx.body === 'object' && ctx.body !== null) {
      (ctx.body as Record<string, unknown>).scopes_supported = scopes;
    }
  };
}
