// The baseline: the bare `oidc-provider`, configured as close to our IdP as the
// library's own options go, with none of our code in the request path. What is the
// same: keys, client metadata, algorithms, JWT access tokens via resourceIndicators for
// the same APIs, PKCE, PAR, refresh rotation, lifetimes, routes, signed cookies. What is
// left out is exactly the policy layer: no client validator, no request policy, no
// FAPI profile, no security headers, no EJS pages, no CSRF, no sealed store (the
// library's own memory adapter, an LRU of 1000 entries). Login and consent are a thin
// handler of our own: one middleware, plain HTML strings, the same scrypt check.
import Provider, { errors, type Configuration, type KoaContextWithOIDC, type ResourceServer } from 'oidc-provider';
import type { Context, Next } from 'koa';
import { verifyPassword } from '../../src/accounts/password.js';
import type { Jwks } from '../../src/config/load.js';
import { BENCH_APIS, benchAccounts, LIFETIMES, SERVICE_CLIENT, TEST_SCOPES, WEB_CLIENT, withoutClassification } from './shared.js';

const TEST_RESOURCE_SERVERS = BENCH_APIS;

function claimsConfig(): Record<string, string[]> {
  const out: Record<string, string[]> = { openid: ['sub'] };
  for (const [scope, doc] of Object.entries(TEST_SCOPES)) out[scope] = [...(doc.claims ?? [])];
  return out;
}

function resourceServerInfo(_ctx: KoaContextWithOIDC, indicator: string): ResourceServer {
  const api = TEST_RESOURCE_SERVERS.find((s) => s.identifier === indicator);
  if (!api) throw new errors.InvalidTarget(`unknown resource ${indicator}`);
  const info: ResourceServer = {
    scope: Object.keys(api.scopes).join(' '),
    audience: api.identifier,
    accessTokenTTL: Math.min(api.accessTokenTTL ?? LIFETIMES.accessToken, LIFETIMES.accessToken),
    accessTokenFormat: api.accessTokenFormat ?? 'jwt',
  };
  if (info.accessTokenFormat === 'jwt') info.jwt = { sign: { alg: (api.signingAlg ?? 'ES256') as 'ES256' } };
  return info;
}

const epoch = () => Math.floor(Date.now() / 1000);

type Accounts = ReturnType<typeof benchAccounts>;

export function baselineConfiguration(jwks: Jwks, list: Accounts): Configuration {
  const accounts = new Map(list.map((a) => [a.id ?? a.username, a]));
  return {
    clients: [withoutClassification(WEB_CLIENT), withoutClassification(SERVICE_CLIENT)] as unknown as Configuration['clients'],
    jwks: jwks,
    findAccount: (_ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ ...account.claims, sub }) };
    },
    responseTypes: ['code', 'code id_token'],
    clientAuthMethods: ['none', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'ES256',
    },
    pkce: { required: () => true },
    claims: claimsConfig(),
    scopes: ['openid', 'offline_access', ...Object.keys(TEST_SCOPES)],
    cookies: {
      keys: ['baseline-cookie-key-0123456789abcdef0123456789'],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    issueRefreshToken: (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    ttl: {
      AuthorizationCode: LIFETIMES.authorizationCode,
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? LIFETIMES.accessToken,
      ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? LIFETIMES.accessToken,
      RefreshToken: (_ctx, token) => Math.max(1, (token.iiat ?? epoch()) + LIFETIMES.refreshToken - epoch()),
      IdToken: LIFETIMES.idToken,
      Interaction: LIFETIMES.interaction,
      Session: LIFETIMES.session,
      Grant: LIFETIMES.grant,
      PushedAuthorizationRequest: LIFETIMES.pushedAuthorizationRequest,
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    routes: {
      authorization: '/authorize',
      token: '/token',
      revocation: '/revoke',
      introspection: '/introspect',
      userinfo: '/userinfo',
      jwks: '/jwks',
      pushed_authorization_request: '/par',
      end_session: '/logout',
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, allowUnregisteredRedirectUris: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? '',
        useGrantedResource: () => true,
        getResourceServerInfo: resourceServerInfo,
      },
      dPoP: { enabled: true },
      jwtResponseModes: { enabled: true },
      encryption: { enabled: true },
    },
  };
}

async function readBody(ctx: Context): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const INTERACTION = /^\/interaction\/([\w-]+)(?:\/(login|confirm))?$/;

/** The thinnest login and consent that complete the flow: no templates, no CSRF. */
export function thinInteractions(provider: Provider, list: Accounts) {
  const accounts = new Map(list.map((a) => [a.username, a]));
  return async (ctx: Context, next: Next): Promise<void> => {
    const match = INTERACTION.exec(ctx.path);
    if (!match) {
      await next();
      return;
    }
    const [, uid, action] = match;
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction mismatch');
    ctx.type = 'html';
    if (ctx.method === 'GET' && !action) {
      ctx.body = details.prompt.name === 'login'
        ? `<form method="post" action="/interaction/${uid}/login"><input name="username"><input name="password" type="password"><button>Sign in</button></form>`
        : `<form method="post" action="/interaction/${uid}/confirm"><button name="decision" value="approve">Allow</button></form>`;
      return;
    }
    if (ctx.method !== 'POST') {
      await next();
      return;
    }
    const form = await readBody(ctx);
    if (action === 'login') {
      const account = accounts.get(form.get('username') ?? '');
      const ok = account ? await verifyPassword(form.get('password') ?? '', account.passwordHash) : false;
      if (!account || !ok) {
        ctx.status = 401;
        ctx.body = 'wrong';
        return;
      }
      await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: account.id ?? account.username } }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = details.session?.accountId;
    if (!accountId) throw new errors.SessionNotFound('no account');
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new errors.SessionNotFound('grant not found');
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };
}

export function createBaseline(issuer: string, jwks: Jwks, accountCount: number): Provider {
  const list = benchAccounts(accountCount);
  const provider = new Provider(issuer, baselineConfiguration(jwks, list));
  provider.use(thinInteractions(provider, list));
  return provider;
}
