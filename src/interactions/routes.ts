// Login and consent: our own pages for the library's interactions (devInteractions is
// off). OIDC-7: consent is asked of the person, scope by scope; OIDC-8: each decision is
// in the ledger before the flow goes on (src/consent/ builds and writes the record).
import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type Grant, type Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { applyDecision, holdingsOf, newGrantId } from '../consent/grants.js';
import { emptyAccess, type ConsentLedger, type ConsentRecord } from '../consent/ledger.js';
import { recordDecision } from '../consent/record.js';
import type { Logger } from '../ops/log.js';
import { noteClient } from '../ops/request-scope.js';
import { approvedOf, askedOf, clientFacts, consentRecord, expiryOf, linesOf, requestFactsOf, sameAccess, type Details } from '../consent/decision.js';
import { dayOf } from '../web/dates.js';
import { checkCsrf, FormError, issueCsrf, readForm } from '../web/form.js';
import type { SignIn } from '../web/sign-in.js';
import { sendPage } from '../web/render.js';
import { claimsOf } from '../consent/scopes.js';
import type { IdentitySources } from '../accounts/sources/index.js';
import { loginChoices, signedInWith } from '../accounts/sources/page.js';
import type { FactorService } from '../factors/service.js';
import type { Store } from '../storage/store.js';
import { prefetchInteraction } from './prefetch.js';
import { secondFactorRoutes } from './second-factor.js';

export interface InteractionDeps {
  provider: Provider;
  config: Config;
  ledger: ConsentLedger;
  /** the one throttled password check */
  signIn: SignIn;
  consentText: string;
  logger: Logger;
  /** OIDC-9, OIDC-8: the SMART launch context of an interaction, recorded with the consent */
  smartContext?: ((details: Details) => Promise<Record<string, unknown> | undefined>) | undefined;
  /** identity sources: "Sign in with …" buttons, the source choice, the source in the ledger */
  sources?: IdentitySources | undefined;
  /** AUTH-1: second factors, and where the sign-in step's state is kept */
  factors: FactorService;
  store: Store;
}

/**
 * OIDC-8: keep the record, or stop. Resolves false (after showing a readable page) when
 * the ledger refused it: the decision then has no effect at all.
 */
export async function recordOrStop(ctx: Context, ledger: ConsentLedger, logger: Logger, record: ConsentRecord): Promise<boolean> {
  const outcome = await recordDecision(ledger, logger, record);
  if (outcome.recorded) return true;
  if (outcome.reason === 'too_many') {
    ctx.set('retry-after', String(outcome.retryAfter));
    await sendPage(ctx, 'error', {
      title: 'Too many decisions',
      message: `You have answered this many times in a short time, so this answer was not taken: nothing has been shared and nothing has changed. Please wait ${outcome.retryAfter} seconds, then try again.`,
      code: 'too_many_decisions',
      detail: 'consent decisions are limited per person and application (OIDC-8)',
    }, 429);
    return false;
  }
  await sendPage(ctx, 'error', {
    title: 'Your choice could not be saved',
    message: 'We could not record your decision, so nothing has been shared and nothing has changed. Please try again in a moment.',
    code: 'consent_not_recorded',
  }, 503);
  return false;
}

export function interactionRoutes({ provider, config, ledger, signIn, consentText, logger, smartContext, sources, factors, store }: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction' });
  const scopeClaims = (scopes: string[]) => claimsOf(config, scopes);

  /** The interaction this browser is in, and it must be the one in the URL. */
  async function load(ctx: Context): Promise<Details> {
    await prefetchInteraction(provider, store, ctx);
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== (ctx.params as { uid?: string }).uid) throw new errors.SessionNotFound('interaction mismatch');
    noteClient(details.params.client_id);
    return details;
  }

  // AUTH-1: the second step after the password, and step-up within a session.
  const second = secondFactorRoutes(router, { provider, config, store, factors, load });

  async function existingGrant(details: Details): Promise<Grant | undefined> {
    if (!details.grantId) return undefined;
    const grant = await provider.Grant.find(details.grantId);
    if (!grant) throw new errors.SessionNotFound('grant not found');
    return grant;
  }

  async function showLogin(ctx: Context, details: Details, error?: string, username = '', status = 200) {
    const client = await clientFacts(provider, String(details.params.client_id));
    await sendPage(ctx, 'login', {
      title: 'Sign in',
      intro: `${client.name} wants you to sign in.`,
      action: `/interaction/${details.uid}/login`,
      csrf: issueCsrf(ctx, `/interaction/${details.uid}`),
      error,
      username,
      ...loginChoices(config, sources, details.uid),
    }, error ? status : 200);
  }

  async function showConsent(ctx: Context, details: Details) {
    const client = await clientFacts(provider, String(details.params.client_id));
    const asked = askedOf(details, config);
    const grant = await existingGrant(details);
    const held = grant ? holdingsOf(grant, scopeClaims) : emptyAccess();
    const askedKeys = new Set(linesOf(config, asked).map((l) => l.key));
    await sendPage(ctx, 'consent', {
      title: 'Share your information',
      client,
      action: `/interaction/${details.uid}/confirm`,
      csrf: issueCsrf(ctx, `/interaction/${details.uid}`),
      scopes: linesOf(config, asked),
      already: linesOf(config, held).filter((l) => !askedKeys.has(l.key)),
      until: dayOf(grant?.exp ? new Date(grant.exp * 1000) : new Date(Date.now() + config.lifetimes.grant * 1000)),
    });
  }

  router.get('/:uid', async (ctx) => {
    const details = await load(ctx);
    if (details.prompt.name === 'login') return (await second.stepUp(ctx, details)) ? undefined : showLogin(ctx, details);
    if (details.prompt.name === 'consent') return showConsent(ctx, details);
    // OIDC-9: SMART's patient picker (src/smart/routes.ts).
    if (details.prompt.name === 'smart_patient') return ctx.redirect(`/interaction/${details.uid}/patient`);
    throw new errors.InvalidRequest(`unsupported prompt ${details.prompt.name}`);
  });

  router.post('/:uid/login', async (ctx) => {
    const details = await load(ctx);
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    if (details.prompt.name !== 'login' || details.result) throw new FormError(400, 'This step of the sign-in is already done.');
    const username = form.get('username') ?? '';
    const outcome = await signIn.attempt(ctx, username, form.get('password') ?? '', form.get('source') || undefined);
    if (!outcome.ok) return showLogin(ctx, details, outcome.message, username, outcome.status);
    // `source` rides along to the consent step (lastSubmission), for the ledger (OIDC-8).
    await second.afterPassword(ctx, details, outcome.accountId, outcome.source?.id);
  });

  router.post('/:uid/confirm', async (ctx) => {
    const details = await load(ctx);
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    // One decision per consent page: a second submission is not a second record.
    if (details.prompt.name !== 'consent' || details.result) throw new FormError(400, 'This step of the sign-in is already done.');
    const accountId = details.session?.accountId;
    if (!accountId) throw new errors.SessionNotFound('no signed-in account');
    const client = await clientFacts(provider, String(details.params.client_id));
    const asked = askedOf(details, config);
    const existing = await existingGrant(details);
    const smart = smartContext ? await smartContext(details) : undefined;
    // OIDC-8: the record names the source the person signed in with.
    const request = { ...requestFactsOf(details), source: await signedInWith(details, sources), ...(smart ? { smart } : {}) };
    const base = { accountId, client, asked, request, correlationId: details.cid, consentText };

    if (form.get('decision') !== 'approve') {
      // OIDC-7: the person said no; OIDC-8: recorded first; the client gets access_denied.
      const record = consentRecord({
        ...base,
        decision: 'deny',
        granted: emptyAccess(),
        holds: existing ? holdingsOf(existing, scopeClaims) : emptyAccess(),
        grantId: existing?.jti,
        exp: existing?.exp,
      });
      if (!(await recordOrStop(ctx, ledger, logger, record))) return;
      await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'the person declined to share (OIDC-7)' }, { mergeWithLastSubmission: true });
      return;
    }

    // OIDC-7: the grant holds exactly what was approved — required lines and ticked optional ones.
    const approved = approvedOf(config, asked, new Set(form.getAll('allow')));
    const grant = existing ?? new provider.Grant({ accountId, clientId: client.id });
    if (!existing) grant.jti = newGrantId();
    applyDecision(grant, asked, approved);
    grant.exp = expiryOf(grant, config);
    const record = consentRecord({
      ...base,
      decision: sameAccess(asked, approved) ? 'approve' : 'partial',
      granted: approved,
      holds: holdingsOf(grant, scopeClaims),
      grantId: grant.jti,
      exp: grant.exp,
    });
    // OIDC-8: the record is kept before the grant exists; no record, no grant.
    if (!(await recordOrStop(ctx, ledger, logger, record))) return;
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  return router;
}
