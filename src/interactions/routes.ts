// Login and consent: our own pages for the library's interactions (devInteractions is
// off). OIDC-7: consent is asked of the person; OIDC-8: it is recorded (consent.ts).
import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type Provider } from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';
import type { Config } from '../config/load.js';
import { checkCsrf, FormError, issueCsrf, readForm } from './form.js';
import { sendPage } from './render.js';
import { describeScopes } from './scopes.js';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

interface MissingDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

export interface InteractionDeps {
  provider: Provider;
  config: Config;
  accounts: AccountStore;
}

export function interactionRoutes({ provider, config, accounts }: InteractionDeps): Router {
  const router = new Router({ prefix: '/interaction' });

  /** The interaction this browser is in, and it must be the one in the URL. */
  async function load(ctx: Context): Promise<Details> {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== (ctx.params as { uid?: string }).uid) throw new errors.SessionNotFound('interaction mismatch');
    return details;
  }

  async function clientOf(details: Details) {
    const client = await provider.Client.find(String(details.params.client_id));
    if (!client) throw new errors.InvalidClient('client not found');
    return { id: client.clientId, name: client.clientName ?? client.clientId, classification: typeof client.metadata().classification === 'string' ? String(client.metadata().classification) : '' };
  }

  async function showLogin(ctx: Context, details: Details, error?: string, username = '') {
    const client = await clientOf(details);
    await sendPage(ctx, 'login', {
      title: 'Sign in',
      client,
      uid: details.uid,
      csrf: issueCsrf(ctx, `/interaction/${details.uid}`),
      error,
      username,
    }, error ? 401 : 200);
  }

  async function showConsent(ctx: Context, details: Details) {
    const client = await clientOf(details);
    const missing = details.prompt.details as MissingDetails;
    await sendPage(ctx, 'consent', {
      title: 'Share your information',
      client,
      uid: details.uid,
      csrf: issueCsrf(ctx, `/interaction/${details.uid}`),
      scopes: describeScopes(config, missing.missingOIDCScope ?? [], missing.missingResourceScopes ?? {}),
    });
  }

  router.get('/:uid', async (ctx) => {
    const details = await load(ctx);
    if (details.prompt.name === 'login') return showLogin(ctx, details);
    if (details.prompt.name === 'consent') return showConsent(ctx, details);
    throw new errors.InvalidRequest(`unsupported prompt ${details.prompt.name}`);
  });

  router.post('/:uid/login', async (ctx) => {
    const details = await load(ctx);
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    if (details.prompt.name !== 'login') throw new FormError(400, 'This step of the sign-in is already done.');
    const username = form.get('username') ?? '';
    const accountId = await accounts.authenticate(username, form.get('password') ?? '');
    if (!accountId) {
      // One message for an unknown user and a wrong password: no account enumeration.
      return showLogin(ctx, details, 'The username or password is not right.', username);
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId, amr: ['pwd'] } }, { mergeWithLastSubmission: false });
  });

  router.post('/:uid/confirm', async (ctx) => {
    const details = await load(ctx);
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    if (details.prompt.name !== 'consent') throw new FormError(400, 'This step of the sign-in is already done.');
    if (form.get('decision') !== 'approve') {
      // OIDC-7: the person said no; the client gets access_denied.
      await provider.interactionFinished(ctx.req, ctx.res, { error: 'access_denied', error_description: 'the person declined to share (OIDC-7)' }, { mergeWithLastSubmission: true });
      return;
    }
    const accountId = details.session?.accountId;
    if (!accountId) throw new errors.SessionNotFound('no signed-in account');
    const missing = details.prompt.details as MissingDetails;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
    if (!grant) throw new errors.SessionNotFound('grant not found');
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  });

  return router;
}
