// The library's own events, turned into audit events and log lines: tokens issued,
// refreshed and replayed; refused authorization requests with the rule behind them;
// registrations; and store outages on the library's endpoints, which the library
// answers with 503 by itself and would otherwise leave without a trace.
import type { KoaContextWithOIDC, Provider } from 'oidc-provider';
import { classificationOf } from '../provider/hooks.js';
import { annotate } from '../provider/rule-annotations.js';
import { SINGLE_USE } from '../registration/policies.js';
import type { AuditContext, AuditTrail } from './audit.js';
import type { Logger } from './log.js';
import { requestIdOf } from './requests.js';

/** Every `<route>.error` event the library emits (its error handlers, lib/helpers/initialize_app.js). */
const ERROR_EVENTS = [
  'authorization.error',
  'grant.error',
  'userinfo.error',
  'jwks.error',
  'discovery.error',
  'introspection.error',
  'revocation.error',
  'pushed_authorization_request.error',
  'registration_create.error',
  'registration_read.error',
  'registration_update.error',
  'registration_delete.error',
  'end_session.error',
  'end_session_confirm.error',
  'end_session_success.error',
  'backchannel_authentication.error',
] as const;

/** Refusals of an authorization request (by the library or our policy), audited with their rule. */
const REFUSAL_EVENTS = new Set(['authorization.error', 'pushed_authorization_request.error', 'backchannel_authentication.error']);

interface ProviderError {
  name?: string;
  error?: string;
  error_description?: string;
  error_detail?: string;
  message?: string;
}

interface Entity {
  jti?: string;
  accountId?: string;
  grantId?: string;
  kind?: string;
  policies?: string[];
}

type Ctx = KoaContextWithOIDC;

/** The rule ID a refusal names (ours name it; the library's get it from rule-annotations). */
export function ruleOf(description: string | undefined): string {
  return /\(((?:TOK|EP|OIDC|GR)-\d+)/.exec(annotate(description ?? ''))?.[1] ?? 'none';
}

function entity(ctx: Ctx, name: string): Entity | undefined {
  return (ctx.oidc?.entities as Record<string, Entity | undefined> | undefined)?.[name];
}

function who(ctx: Ctx): AuditContext {
  const account = entity(ctx, 'Account')?.accountId ?? ctx.oidc?.session?.accountId;
  return {
    requestId: requestIdOf(ctx),
    clientId: ctx.oidc?.client?.clientId,
    subject: account,
    grantId: entity(ctx, 'Grant')?.jti,
    address: ctx.ip,
  };
}

const REPLAY = /refresh token already used|authorization code already consumed|grant already used/i;

type Listener = (...args: never[]) => void;

export function attachProviderEvents(provider: Provider, trail: AuditTrail, logger: Logger): void {
  // The library's event map does not list every event it emits (its error events among them).
  const on = (event: string, listener: Listener) => (provider.on as unknown as (e: string, l: Listener) => void).call(provider, event, listener);
  on('grant.success', (ctx: Ctx) => {
    const given = (ctx.oidc.params as { grant_type?: unknown } | undefined)?.grant_type;
    const grantType = typeof given === 'string' ? given : 'unknown';
    const body = (ctx.body ?? {}) as { id_token?: unknown };
    const access = entity(ctx, 'AccessToken') ?? entity(ctx, 'ClientCredentials');
    const classification = classificationOf(ctx.oidc.client);
    trail.emit(grantType === 'refresh_token' ? 'token.refreshed' : 'token.issued', who(ctx), {
      grantType,
      classification: typeof classification === 'string' ? classification : 'none',
      accessTokenRef: trail.tokenRef(access?.jti),
      refreshTokenRef: trail.tokenRef(entity(ctx, 'RefreshToken')?.jti),
      previousRefreshTokenRef: trail.tokenRef(entity(ctx, 'RotatedRefreshToken')?.jti),
      idToken: typeof body.id_token === 'string',
    });
  });

  for (const name of ERROR_EVENTS) {
    on(name, (ctx: Ctx, err: ProviderError) => {
      if (err?.name === 'StoreUnavailableError') {
        // The store is away: the library answered 503; operators need to see it happen.
        logger.log('warn', 'store.unavailable', { requestId: requestIdOf(ctx), route: ctx.oidc?.route ?? name.replace(/\.error$/, '') });
        return;
      }
      if (name === 'grant.error' && REPLAY.test(err?.error_detail ?? err?.message ?? '')) {
        // TOK-1 / TOK-4: a used code or refresh token came back; the library revoked the grant.
        const refresh = /refresh/i.test(err.error_detail ?? err.message ?? '');
        trail.emit('token.reuse_detected', who(ctx), { kind: refresh ? 'refresh_token' : 'authorization_code', rule: refresh ? 'TOK-4' : 'TOK-1' });
        return;
      }
      if (REFUSAL_EVENTS.has(name) && err?.error !== 'access_denied') {
        trail.emit('authorization.refused', who(ctx), { endpoint: ctx.oidc?.route ?? name, error: err?.error ?? 'unknown', rule: ruleOf(err?.error_description) });
      }
    });
  }

  on('server_error', (ctx: Ctx, err: ProviderError) => {
    logger.log('error', 'provider.server_error', { requestId: requestIdOf(ctx), route: ctx.oidc?.route, error: err?.name, message: err?.message });
  });

  const classificationOfClient = (client: object | undefined) => {
    const c = classificationOf(client);
    return typeof c === 'string' ? c : undefined;
  };
  on('registration_create.success', (ctx: Ctx, client: { clientId: string }) => {
    trail.emit('client.registered', { ...who(ctx), clientId: client.clientId }, { classification: classificationOfClient(client) });
  });
  on('registration_update.success', (ctx: Ctx, client: { clientId: string }) => {
    trail.emit('client.updated', { ...who(ctx), clientId: client.clientId }, { classification: classificationOfClient(client) });
  });
  on('registration_delete.success', (ctx: Ctx, client: { clientId: string }) => {
    trail.emit('client.deleted', { ...who(ctx), clientId: client.clientId });
  });
  on('initial_access_token.saved', (token: Entity) => {
    trail.emit('registration_token.minted', {}, { tokenRef: trail.tokenRef(token.jti), singleUse: token.policies?.includes(SINGLE_USE) === true });
  });
}

/**
 * token.revoked: the library emits no event for /revoke, so this looks at what the
 * revocation endpoint found, after it answered.
 */
export function revocationAudit(trail: AuditTrail) {
  return async (ctx: Ctx, next: () => Promise<void>): Promise<void> => {
    await next();
    if (ctx.oidc?.route !== 'revocation' || ctx.status !== 200) return;
    const token = entity(ctx, 'AccessToken') ?? entity(ctx, 'ClientCredentials') ?? entity(ctx, 'RefreshToken');
    if (!token) return;
    trail.emit('token.revoked', { ...who(ctx), subject: token.accountId, grantId: token.grantId }, { tokenType: token.kind, tokenRef: trail.tokenRef(token.jti) });
  };
}
