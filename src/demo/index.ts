// The built-in demo relying party (development mode): a real authorization-code + PKCE
// sign-in with openid-client against this IdP, then the decoded tokens on a page.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import * as oidc from 'openid-client';
import type { Config } from '../config/load.js';
import type { Classification } from '../config/schema.js';
import { readForm } from '../interactions/form.js';
import { sendPage } from '../interactions/render.js';
import { makeDemoClients, type DemoClient } from './clients.js';

interface Flow {
  client: DemoClient;
  verifier: string;
  state: string;
  nonce: string;
  dpop?: oidc.DPoPHandle | undefined;
  created: number;
}

const FLOW_COOKIE = 'demo.flow';
const FLOW_TTL_MS = 10 * 60 * 1000;

function decodeJwt(token: string | undefined): unknown {
  if (!token || token.split('.').length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Adds the demo clients to the configuration, before the policy checks them. */
export async function withDemoClients(config: Config): Promise<{ config: Config; clients: DemoClient[] }> {
  const apis: Partial<Record<Classification, string>> = {};
  for (const api of config.resourceServers) apis[api.classification] ??= api.identifier;
  const clients = await makeDemoClients(config.issuer, apis);
  return { config: { ...config, clients: [...config.clients, ...clients.map((c) => c.metadata)] }, clients };
}

export function demoRoutes(config: Config, clients: DemoClient[]): ((ctx: Context, next: Next) => Promise<void>)[] {
  const issuer = new URL(config.issuer);
  const flows = new Map<string, Flow>();
  const configs = new Map<string, Promise<oidc.Configuration>>();
  const router = new Router({ prefix: '/demo' });

  function rpConfig(client: DemoClient): Promise<oidc.Configuration> {
    let found = configs.get(client.metadata.client_id);
    if (!found) {
      const auth = client.privateKey ? oidc.PrivateKeyJwt(client.privateKey) : client.secret ? oidc.ClientSecretPost(client.secret) : oidc.None();
      found = oidc.discovery(issuer, client.metadata.client_id, { ...client.metadata } as Partial<oidc.ClientMetadata>, auth, { execute: [oidc.allowInsecureRequests] }).then((c) => {
        if (client.hybrid) oidc.useCodeIdTokenResponseType(c);
        return c;
      });
      found.catch(() => configs.delete(client.metadata.client_id));
      configs.set(client.metadata.client_id, found);
    }
    return found;
  }

  function sweep() {
    const now = Date.now();
    for (const [id, flow] of flows) if (now - flow.created > FLOW_TTL_MS) flows.delete(id);
  }

  router.get('/', async (ctx) => {
    await sendPage(ctx, 'demo', { title: 'Demo relying party', clients });
  });

  router.post('/start', async (ctx) => {
    const form = await readForm(ctx);
    const client = clients.find((c) => c.classification === form.get('classification'));
    if (!client) return sendPage(ctx, 'error', { title: 'Unknown demo client', message: 'Choose one of the demo clients.' }, 400);
    sweep();
    const rp = await rpConfig(client);
    const verifier = oidc.randomPKCECodeVerifier();
    const flow: Flow = { client, verifier, state: oidc.randomState(), nonce: oidc.randomNonce(), created: Date.now() };
    if (client.dpop) flow.dpop = oidc.getDPoPHandle(rp, await oidc.randomDPoPKeyPair('ES256'));
    const params: Record<string, string> = {
      redirect_uri: `${config.issuer.replace(/\/$/, '')}/demo/callback`,
      scope: client.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    };
    if (client.hybrid) params.response_mode = 'form_post';
    if (client.scope.includes('offline_access')) params.prompt = 'consent';
    if (client.resource) params.resource = client.resource;
    const url = client.par ? await oidc.buildAuthorizationUrlWithPAR(rp, params, { DPoP: flow.dpop }) : oidc.buildAuthorizationUrl(rp, params);
    const id = randomBytes(16).toString('base64url');
    flows.set(id, flow);
    ctx.cookies.set(FLOW_COOKIE, id, { httpOnly: true, sameSite: 'lax', path: '/demo', secure: ctx.secure, signed: true });
    ctx.redirect(url.href);
  });

  async function callback(ctx: Context) {
    const id = ctx.cookies.get(FLOW_COOKIE, { signed: true });
    const flow = id ? flows.get(id) : undefined;
    if (!id || !flow) return sendPage(ctx, 'error', { title: 'Demo sign-in expired', message: 'Start the demo sign-in again.' }, 400);
    flows.delete(id);
    const rp = await rpConfig(flow.client);
    const here = new URL(`${config.issuer.replace(/\/$/, '')}/demo/callback`);
    let input: URL | Request;
    if (ctx.method === 'POST') {
      const form = await readForm(ctx);
      input = new Request(here, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    } else {
      input = new URL(`${here.href}${ctx.search}`);
    }
    try {
      const tokens = await oidc.authorizationCodeGrant(rp, input, { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce, idTokenExpected: true }, flow.client.resource ? { resource: flow.client.resource } : undefined, { DPoP: flow.dpop });
      const accessTokenClaims = decodeJwt(tokens.access_token) ?? (await oidc.tokenIntrospection(rp, tokens.access_token).catch(() => undefined));
      await sendPage(ctx, 'demo-result', {
        title: 'Signed in',
        client: flow.client,
        idTokenClaims: tokens.claims(),
        accessTokenClaims,
        accessTokenFormat: decodeJwt(tokens.access_token) ? 'JWT (RFC 9068)' : 'opaque (shown: introspection)',
        tokenType: tokens.token_type,
        expiresIn: tokens.expires_in,
        hasRefreshToken: Boolean(tokens.refresh_token),
        scope: tokens.scope ?? `${flow.client.scope} (as requested)`,
      });
    } catch (err) {
      const e = err as { error?: string; error_description?: string; message?: string };
      await sendPage(ctx, 'error', { title: 'The demo sign-in did not complete', message: e.error_description ?? e.message ?? 'The sign-in failed.', code: e.error }, 400);
    }
  }
  router.get('/callback', callback);
  router.post('/callback', callback);

  return [router.routes() as unknown as (ctx: Context, next: Next) => Promise<void>];
}
