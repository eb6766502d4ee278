// "Sign in with <upstream>": the login page's link starts an authorization request to the
// upstream (upstream.ts keeps state, nonce and the PKCE verifier); the upstream sends the
// person back to one fixed redirect URI per source, where the pending sign-in is taken
// once, bound to this browser by a cookie, and the upstream person becomes our account.
import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type Provider } from 'oidc-provider';
import type { Config } from '../../config/load.js';
import { acrReached } from '../../policy/executors/assurance.js';
import { sendPage } from '../../web/render.js';
import type { Logger } from '../../ops/log.js';
import { audit } from '../../ops/request-scope.js';
import type { IdentitySources } from './index.js';
import { SourceUnavailableError } from './types.js';
import { mapUpstreamClaims, verifiedLinkValue, type UpstreamPerson, type UpstreamSource } from './upstream.js';

const BINDING_COOKIE = 'idp.upstream';

/** Our account for the upstream person, by the configured link; undefined: no such account. */
export async function linkedAccount(source: UpstreamSource, person: UpstreamPerson, sources: IdentitySources): Promise<string | undefined> {
  const { link, claims: map } = source.config;
  if (link.by === 'sub') {
    const accountId = `${source.id}:${person.sub}`;
    await source.remember(accountId, mapUpstreamClaims(person.claims, map));
    return accountId;
  }
  const upstreamClaim = map[link.claim];
  const value = upstreamClaim ? verifiedLinkValue(person.claims, upstreamClaim) : undefined;
  if (value === undefined) return undefined;
  return (await sources.findByClaim(link.claim, value))?.id;
}

export function upstreamRoutes(deps: { provider: Provider; config: Config; sources: IdentitySources; logger: Logger }): Router {
  const { provider, config, sources, logger } = deps;
  const router = new Router({ prefix: '/interaction' });
  const secure = config.issuer.startsWith('https://');
  const upstreamOf = (id: string | undefined) => sources.upstreams.find((u) => u.id === id);

  const unavailable = (ctx: Context, label: string, back: string) => {
    ctx.set('retry-after', '30');
    return sendPage(ctx, 'error', { title: `${label} is not answering`, message: `We could not reach ${label} just now. Please try again in a few minutes, or go back and sign in another way.`, code: 'temporarily_unavailable', back }, 503);
  };

  router.get('/:uid/upstream/:source', async (ctx) => {
    const { uid, source: sourceId } = ctx.params as { uid: string; source: string };
    const source = upstreamOf(sourceId);
    if (!source) throw new errors.InvalidRequest('unknown identity source');
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== uid || details.prompt.name !== 'login') throw new errors.SessionNotFound('interaction mismatch');
    let started;
    try {
      started = await source.begin(uid);
    } catch (err) {
      if (err instanceof SourceUnavailableError) return unavailable(ctx, source.label, `/interaction/${uid}`);
      throw err;
    }
    ctx.cookies.set(BINDING_COOKIE, started.browserBinding, { httpOnly: true, sameSite: 'lax', secure, path: '/interaction/upstream/', maxAge: 600_000, signed: false });
    ctx.status = 303;
    ctx.redirect(started.url.href);
  });

  router.get('/upstream/:source/callback', async (ctx) => {
    const source = upstreamOf((ctx.params as { source?: string }).source);
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    if (!source || !state) throw new errors.InvalidRequest('not a sign-in we started');
    const pending = await source.takePending(state, ctx.cookies.get(BINDING_COOKIE));
    ctx.cookies.set(BINDING_COOKIE, null, { path: '/interaction/upstream/' });
    // Unknown, used, expired, or another browser's: the same answer, nothing from the upstream is used.
    if (!pending) throw new errors.SessionNotFound('upstream state not pending');
    const back = `/interaction/${pending.uid}`;

    if (typeof ctx.query.error === 'string') {
      audit('signin.failed', {}, { reason: 'upstream_refused', source: source.id });
      return sendPage(ctx, 'error', { title: `${source.label} did not sign you in`, message: `The sign-in with ${source.label} was cancelled or refused. You can go back and try again, or sign in another way.`, code: 'access_denied', back }, 400);
    }

    let person: UpstreamPerson;
    try {
      // EP-3, TOK-9: state, nonce, PKCE and the ID token are checked by openid-client.
      const callbackUrl = new URL(`${source.redirectUri}${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      person = await source.finish(callbackUrl, pending, state);
    } catch (err) {
      if (err instanceof SourceUnavailableError) return unavailable(ctx, source.label, back);
      // Never the code or the upstream's answer in the log: the kind of failure only.
      logger.log('warn', 'upstream.failed', { source: source.id, error: (err as Error).name, code: (err as { code?: unknown }).code as string | undefined });
      audit('signin.failed', {}, { reason: 'upstream_invalid', source: source.id });
      return sendPage(ctx, 'error', { title: `${source.label} could not confirm who you are`, message: `The answer from ${source.label} could not be verified, so you are not signed in. Please go back and try again.`, code: 'upstream_invalid', back }, 502);
    }

    const accountId = await linkedAccount(source, person, sources);
    if (!accountId) {
      audit('signin.failed', {}, { reason: 'upstream_not_linked', source: source.id });
      return sendPage(ctx, 'error', { title: 'No account found', message: `You signed in with ${source.label}, but no account here matches it. Please sign in another way, or ask the agency to link your account.`, code: 'account_not_linked', back }, 403);
    }

    const interaction = await provider.Interaction.find(pending.uid);
    if (!interaction || interaction.prompt.name !== 'login' || interaction.result) throw new errors.SessionNotFound('interaction gone');
    // The upstream's acr/amr only when the deployment trusts them (trustAcr). Otherwise AUTH-1:
    // `fed`, the lowest level offered; a client needing more gets our second step (second-factor.ts).
    const amr = person.amr?.length ? person.amr : ['fed'];
    const acr = person.acr ?? acrReached(config.assurance, amr);
    const login = { accountId, amr, ...(acr ? { acr } : {}) };
    interaction.result = { login, source: source.id };
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    audit('signin.succeeded', { subject: accountId }, { method: 'upstream', source: source.id });
    ctx.status = 303;
    ctx.redirect(interaction.returnTo);
  });

  return router;
}
