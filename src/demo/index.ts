// The built-in demo relying party (development mode): a real authorization-code + PKCE
// sign-in with openid-client against this IdP, then the decoded tokens on a page.
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import * as oidc from 'openid-client';
import type { Config } from '../config/load.js';
import type { Classification } from '../config/schema.js';
import { readForm } from '../web/form.js';
import { sendPage } from '../web/render.js';
import { makeDemoClients, makeSmartDemoClients, type DemoClient } from './clients.js';
import { callDemoFhir } from './smart.js';

interface Flow {
  client: DemoClient;
  verifier: string;
  state: string;
  nonce: string;
  dpop?: oidc.DPoPHandle | undefined;
  created: number;
}

/** What the demo keeps of a finished sign-in, to show the refresh token working — or refused once consent is withdrawn. */
interface Held {
  client: DemoClient;
  refreshToken: string;
  dpop?: oidc.DPoPHandle | undefined;
  created: number;
}

const FLOW_COOKIE = 'demo.flow';
const HELD_COOKIE = 'demo.held';
const FLOW_TTL_MS = 10 * 60 * 1000;
const HELD_TTL_MS = 8 * 60 * 60 * 1000;
const HELD_MAX = 1000;

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
  // Each demo client calls the first API of its class, asking for that API's scopes.
  const apis: Partial<Record<Classification, string>> = {};
  for (const api of config.resourceServers) apis[api.classification] ??= api.identifier;
  const clients = (await makeDemoClients(config.issuer, apis)).map((c) => {
    const api = config.resourceServers.find((r) => r.identifier === c.resource);
    return api ? { ...c, scope: [c.scope, ...Object.keys(api.scopes)].join(' ') } : c;
  });
  // OIDC-9: with the demo FHIR API (development.json declares it), two SMART apps call it.
  const fhir = config.resourceServers.find((api) => api.fhir?.demo);
  if (fhir) clients.push(...(await makeSmartDemoClients(config.issuer, fhir.identifier.replace(/\/+$/, ''))));
  return { config: { ...config, clients: [...config.clients, ...clients.map((c) => c.metadata)] }, clients };
}

export function demoRouter(config: Config, clients: DemoClient[]): Router {
  const issuer = new URL(config.issuer);
  const flows = new Map<string, Flow>();
  const held = new Map<string, Held>();
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
    for (const [id, h] of held) if (now - h.created > HELD_TTL_MS) held.delete(id);
    while (held.size > HELD_MAX) held.delete(held.keys().next().value as string);
  }

  function heldFor(ctx: Context): Held | undefined {
    const id = ctx.cookies.get(HELD_COOKIE, { signed: true });
    return id ? held.get(id) : undefined;
  }

  router.get('/', async (ctx) => {
    const h = heldFor(ctx);
    await sendPage(ctx, 'demo', { title: 'Demo relying party', clients: clients.filter((c) => !c.smart), smartApps: clients.filter((c) => c.smart), held: h ? { clientName: h.client.metadata.client_name } : undefined });
  });

  router.post('/start', async (ctx) => {
    const form = await readForm(ctx);
    const app = form.get('app');
    const client = app ? clients.find((c) => c.smart?.app === app) : clients.find((c) => !c.smart && c.classification === form.get('classification'));
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
    // OIDC-9: a SMART app names its FHIR server with `aud`, its base URL.
    if (client.smart) params.aud = client.smart.fhir;
    // AUTH-1: the SENSITIVE demo client asks for the strongest level (multi-factor by default).
    const strongest = config.assurance.levels[config.assurance.levels.length - 1]?.acr;
    if (client.classification === 'SENSITIVE' && strongest) params.acr_values = strongest;
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
      if (tokens.refresh_token) {
        sweep();
        const heldId = randomBytes(16).toString('base64url');
        held.set(heldId, { client: flow.client, refreshToken: tokens.refresh_token, dpop: flow.dpop, created: Date.now() });
        ctx.cookies.set(HELD_COOKIE, heldId, { httpOnly: true, sameSite: 'lax', path: '/demo', secure: ctx.secure, signed: true });
      }
      if (flow.client.smart) {
        const patient = typeof tokens.patient === 'string' ? tokens.patient : undefined;
        return await sendPage(ctx, 'demo-smart-result', {
          title: 'SMART app: test results',
          client: flow.client,
          fhirUser: tokens.claims()?.fhirUser,
          scope: tokens.scope,
          patient,
          accessTokenClaims: decodeJwt(tokens.access_token),
          ...(await callDemoFhir(rp, flow.client.smart.fhir, tokens.access_token, patient, flow.dpop)),
        });
      }
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
        scope: tokens.scope || `${flow.client.scope} (as requested)`,
      });
    } catch (err) {
      const e = err as { error?: string; error_description?: string; message?: string };
      await sendPage(ctx, 'error', { title: 'The demo sign-in did not complete', message: e.error_description ?? e.message ?? 'The sign-in failed.', code: e.error }, 400);
    }
  }
  // The demo client uses its refresh token, as an application would while the person is away.
  router.post('/refresh', async (ctx) => {
    await readForm(ctx);
    const h = heldFor(ctx);
    if (!h) return sendPage(ctx, 'error', { title: 'No refresh token', message: 'Sign in with a demo client that gets a refresh token first.' }, 400);
    const rp = await rpConfig(h.client);
    try {
      const tokens = await oidc.refreshTokenGrant(rp, h.refreshToken, h.client.resource ? { resource: h.client.resource } : undefined, { DPoP: h.dpop });
      if (tokens.refresh_token) h.refreshToken = tokens.refresh_token;
      await sendPage(ctx, 'demo-refresh', { title: 'Refresh token accepted', accepted: true, clientName: h.client.metadata.client_name, scope: tokens.scope, expiresIn: tokens.expires_in });
    } catch (err) {
      const e = err as { error?: string };
      await sendPage(ctx, 'demo-refresh', { title: 'Refresh token refused', accepted: false, clientName: h.client.metadata.client_name, error: e.error ?? 'request_failed' });
    }
  });

  router.get('/callback', callback);
  router.post('/callback', callback);

  return router;
}
