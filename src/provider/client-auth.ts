// EP-2, TOK-9: client authentication at the endpoints that take it, where the library's
// own behaviour is wider than the guideline or its refusal says too little.
import type { Middleware } from 'koa';
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import { clientAssertionAlgs } from '../policy/algorithms.js';
import { assertionAlgRefusal, basicAuthRefusal, checkClientAssertionAudience, checkClientAssertionLifetime } from '../policy/executors/client-auth.js';
import { jwksUriRefusal } from './fetch-limits.js';

/** The endpoints that authenticate clients (also at the mTLS alias host, same paths). */
const CLIENT_AUTH_PATHS = new Set(['/token', '/revoke', '/introspect', '/par', '/bc-authorize']);

const epoch = () => Math.floor(Date.now() / 1000);

/** The client id of an HTTP Basic header, or undefined when it is not readable. */
function basicClientId(header: string): string | undefined {
  const encoded = /^basic\s+(\S+)$/i.exec(header)?.[1];
  if (!encoded) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i <= 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, i).replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/**
 * EP-2: HTTP Basic (client_secret_basic) is refused before the library sees it — the
 * library treats it as interchangeable with client_secret_post. The answer names the
 * method the client is registered for (or the approved ones, for an unknown client).
 */
export function refuseBasicAuth(provider: Provider, offered: readonly string[]): Middleware {
  const approved = offered.filter((m) => m !== 'none');
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    if (ctx.method !== 'POST' || !CLIENT_AUTH_PATHS.has(ctx.path) || !/^basic\s/i.test(header)) {
      await next();
      return;
    }
    const clientId = basicClientId(header);
    let allowed = approved;
    if (clientId) {
      const client = await provider.Client.find(clientId).catch(() => undefined);
      if (client?.clientAuthMethod) allowed = [client.clientAuthMethod];
    }
    ctx.status = 401;
    ctx.set('cache-control', 'no-store');
    ctx.body = { error: 'invalid_client', error_description: basicAuthRefusal(allowed) };
  };
}

/**
 * EP-2: the library's hook after an assertion's signature checks: a short lifetime and a
 * single audience, the issuer or the token endpoint URL (never another endpoint).
 */
export function assertionClaimsCheck(issuer: string) {
  return (ctx: KoaContextWithOIDC, claims: Record<string, unknown>): void => {
    const problem =
      checkClientAssertionLifetime(claims, epoch()) ?? checkClientAssertionAudience(claims.aud, [issuer, ctx.oidc.urlFor('token')]);
    if (problem) throw new errors.InvalidClientAuth(problem);
  };
}

interface ErrorBody {
  error?: unknown;
  error_description?: unknown;
}

/** The `alg` in a client assertion's header, without verifying anything. */
function assertionAlg(assertion: unknown): unknown {
  if (typeof assertion !== 'string') return undefined;
  try {
    const header = JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString('utf8')) as { alg?: unknown };
    return header.alg;
  } catch {
    return undefined;
  }
}

/** Our own refusals (assertionClaimsCheck) end with the rule they enforce. */
const OURS = /\((?:EP|TOK)-\d+\)$/;

/**
 * The library answers every client-authentication failure with "client authentication
 * failed", its reason hidden in `error_detail`. Say why where the reason is ours to give:
 * an assertion signed with an algorithm we do not accept (TOK-9: which one, and which are
 * accepted), and our own assertion checks (EP-2). Other reasons stay hidden (they tell an
 * attacker whether a client exists or a secret was close). Runs on the error events,
 * after the body is set and before it is sent.
 */
export function explainClientAuthRefusal(configuredAlgs: readonly string[]) {
  const { asymmetric, symmetric } = clientAssertionAlgs(configuredAlgs);
  return (ctx: KoaContextWithOIDC, err: { error?: unknown; error_detail?: unknown }): void => {
    const body = ctx.body as ErrorBody | undefined;
    if (!body || body.error !== 'invalid_client') return;
    const jwks = jwksUriRefusal(err);
    if (jwks) {
      body.error_description = jwks;
      return;
    }
    if (typeof err.error_detail !== 'string') return;
    if (OURS.test(err.error_detail)) {
      body.error_description = err.error_detail;
      return;
    }
    if (err.error_detail !== 'alg mismatch') return;
    const client = ctx.oidc?.client;
    const accepted = client?.clientAuthSigningAlg ? [client.clientAuthSigningAlg] : client?.clientAuthMethod === 'client_secret_jwt' ? symmetric : asymmetric;
    body.error_description = assertionAlgRefusal(assertionAlg(ctx.oidc?.params?.client_assertion), accepted);
  };
}

/** Explain client-authentication refusals at every endpoint that authenticates clients. */
export function attachClientAuthExplanations(provider: Provider, configuredAlgs: readonly string[]): void {
  const explain = explainClientAuthRefusal(configuredAlgs);
  // One call per event: the typings overload on() per event name.
  provider.on('grant.error', explain);
  provider.on('revocation.error', explain);
  provider.on('introspection.error', explain);
  provider.on('pushed_authorization_request.error', explain);
  provider.on('backchannel_authentication.error', explain);
}
