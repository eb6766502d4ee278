// TOK-4: the library rotates a refresh token (marks it used, saves the next one) before
// it resolves the requested resource and builds the access token. When that later part
// fails — an unknown `resource`, an API the client may not reach (GR-2) — the client got
// nothing, yet its refresh token was used up, and the next valid refresh would be taken
// for a replay and revoke the whole grant. Undo the rotation of a refresh that failed.
import type { Middleware } from 'koa';
import type { KoaContextWithOIDC } from 'oidc-provider';

interface Saved {
  jti?: string;
  save(): Promise<unknown>;
  destroy(): Promise<unknown>;
}

export function keepRefreshTokenOnFailure(): Middleware {
  return async (ctx, next) => {
    await next();
    if (ctx.status < 400 || ctx.method !== 'POST' || ctx.path !== '/token') return;
    const entities = (ctx as unknown as Partial<KoaContextWithOIDC>).oidc?.entities as Record<string, Saved | undefined> | undefined;
    const used = entities?.RotatedRefreshToken;
    if (!used) return;
    // The token issued in its place (saved or not) must not outlive the failure.
    const issued = entities.RefreshToken;
    if (issued && issued !== used && issued.jti) await issued.destroy();
    // Writing the record back as it was found (unused, same expiry) makes it usable again.
    await used.save();
  };
}
