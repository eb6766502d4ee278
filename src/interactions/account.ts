// The person's own page: which applications hold their consent, to what, since and until
// when — and a button to withdraw it (OIDC-7). Plain forms, CSRF-guarded, no JavaScript.
// Signing in here is the same throttled sign-in as the sign-in pages (login.ts); the
// page's own short session is a sealed record in the configured store.
import { randomBytes, randomUUID } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { revokeGrant } from '../consent/grants.js';
import { emptyAccess, heldConsents, type ConsentLedger, type HeldConsent } from '../consent/ledger.js';
import type { Logger } from '../ops/log.js';
import type { Store } from '../storage/store.js';
import { consentRecord } from '../consent/decision.js';
import { dayOf } from '../web/dates.js';
import { checkCsrf, issueCsrf, readForm } from '../web/form.js';
import type { SignIn } from '../web/sign-in.js';
import { sendPage } from '../web/render.js';
import { clientFacts } from '../consent/decision.js';
import { recordOrStop } from './routes.js';
import { describeAccess } from '../consent/scopes.js';
import { factorPages, type AccountSessionRecord } from '../factors/account-pages.js';
import type { FactorService } from '../factors/service.js';

export interface AccountDeps {
  provider: Provider;
  config: Config;
  ledger: ConsentLedger;
  signIn: SignIn;
  store: Store;
  consentText: string;
  logger: Logger;
  /** AUTH-1: second factors, managed at /account/factors */
  factors?: FactorService | undefined;
}

const COOKIE = 'idp.account';
const PATH = '/account';
const MODEL = 'AccountSession';

const formatDate = (iso: string | undefined) => (iso ? dayOf(new Date(iso)) : 'no end date');

/** A request id the operator can find in the ledger and the logs. */
function correlationId(ctx: Context): string {
  const given = ctx.get('x-request-id');
  return /^[\w.:-]{8,64}$/.test(given) ? given : randomUUID();
}

export function accountRoutes(deps: AccountDeps): Router {
  const { provider, config, ledger, signIn, store, consentText, logger } = deps;
  const router = new Router({ prefix: PATH });
  const sessions = store.adapter(MODEL);
  const ttl = config.consent.accountSession;
  const cookieOptions = (ctx: Context) => ({ signed: true, httpOnly: true, sameSite: 'strict' as const, path: PATH, secure: ctx.secure, overwrite: true });

  async function signedIn(ctx: Context): Promise<string | undefined> {
    const id = ctx.cookies.get(COOKIE, { signed: true });
    if (!id) return undefined;
    const session = await sessions.find(id);
    if (!session?.accountId || (session.exp !== undefined && session.exp * 1000 <= Date.now())) return undefined;
    // Idle timeout: each page seen keeps the session for another `accountSession` seconds.
    const now = Math.floor(Date.now() / 1000);
    await sessions.upsert(id, { ...session, exp: now + ttl }, ttl);
    return session.accountId;
  }

  async function showLogin(ctx: Context, error?: string, username = '', status = 200) {
    await sendPage(ctx, 'login', {
      title: 'Sign in to see your consents',
      intro: 'Sign in to see which applications you have allowed to use your information.',
      action: `${PATH}/login`,
      csrf: issueCsrf(ctx, PATH),
      error,
      username,
    }, error ? status : 200);
  }

  /** The consents this account's clients hold now (the ledger's view, grant still alive). */
  async function current(accountId: string): Promise<HeldConsent[]> {
    const held = await heldConsents(ledger, accountId);
    const alive = await Promise.all(held.map(async (c) => ((await provider.Grant.find(c.grantId)) ? c : undefined)));
    return alive.filter((c): c is HeldConsent => c !== undefined);
  }

  // AUTH-1: /account/factors, on this page's own session.
  if (deps.factors) {
    factorPages(router, config, deps.factors, {
      async current(ctx) {
        const accountId = await signedIn(ctx);
        const id = ctx.cookies.get(COOKIE, { signed: true });
        const session = accountId && id ? await sessions.find(id) : undefined;
        return session ? (session as unknown as AccountSessionRecord) : undefined;
      },
      async update(ctx, change) {
        const id = ctx.cookies.get(COOKIE, { signed: true });
        const session = id ? await sessions.find(id) : undefined;
        if (!id || !session) return;
        const now = Math.floor(Date.now() / 1000);
        await sessions.upsert(id, { ...session, ...change, exp: now + ttl }, ttl);
      },
    });
  }

  router.get('/', (ctx) => {
    ctx.status = 303;
    ctx.redirect(`${PATH}/consents`);
  });

  router.get('/login', async (ctx) => {
    if (await signedIn(ctx)) {
      ctx.status = 303;
      return ctx.redirect(`${PATH}/consents`);
    }
    await showLogin(ctx);
  });

  router.post('/login', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const username = form.get('username') ?? '';
    const outcome = await signIn.attempt(ctx, username, form.get('password') ?? '');
    if (!outcome.ok) return showLogin(ctx, outcome.message, username, outcome.status);
    // A fresh session id at every sign-in (no fixation).
    const previous = ctx.cookies.get(COOKIE, { signed: true });
    if (previous) await sessions.destroy(previous);
    const id = randomBytes(32).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    await sessions.upsert(id, { accountId: outcome.accountId, iat: now, exp: now + ttl, kind: MODEL }, ttl);
    ctx.cookies.set(COOKIE, id, cookieOptions(ctx));
    ctx.status = 303;
    ctx.redirect(`${PATH}/consents`);
  });

  router.post('/logout', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const id = ctx.cookies.get(COOKIE, { signed: true });
    if (id) await sessions.destroy(id);
    ctx.cookies.set(COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
    await sendPage(ctx, 'logged-out', { title: 'Signed out' });
  });

  router.get('/consents', async (ctx) => {
    const accountId = await signedIn(ctx);
    if (!accountId) {
      ctx.status = 303;
      return ctx.redirect(`${PATH}/login`);
    }
    const held = await current(accountId);
    const withdrawn = typeof ctx.query.withdrawn === 'string' ? ctx.query.withdrawn : undefined;
    const withdrawnName = withdrawn ? (await provider.Client.find(withdrawn).catch(() => undefined))?.clientName ?? withdrawn : undefined;
    await sendPage(ctx, 'consents', {
      title: 'Your consents',
      csrf: issueCsrf(ctx, PATH),
      withdrawnName,
      consents: held.map((c) => ({
        clientId: c.clientId,
        clientName: c.clientName,
        lines: describeAccess(config, c.holds),
        since: formatDate(c.since),
        until: formatDate(c.until),
      })),
    });
  });

  router.post('/consents/withdraw', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const accountId = await signedIn(ctx);
    if (!accountId) {
      ctx.status = 303;
      return ctx.redirect(`${PATH}/login`);
    }
    const clientId = form.get('client_id') ?? '';
    const held = (await current(accountId)).find((c) => c.clientId === clientId);
    if (!held) {
      // Already gone (withdrawn in another tab, or expired): nothing to do.
      ctx.status = 303;
      return ctx.redirect(`${PATH}/consents`);
    }
    const client = await clientFacts(provider, clientId).catch(() => ({ id: clientId, name: held.clientName, classification: held.classification }));
    // OIDC-8: the withdrawal is a ledger record, kept before anything is revoked.
    const record = consentRecord({
      decision: 'withdraw',
      accountId,
      client,
      asked: held.holds,
      granted: emptyAccess(),
      holds: emptyAccess(),
      request: { via: 'account' },
      grantId: held.grantId,
      exp: held.until ? Math.floor(Date.parse(held.until) / 1000) : undefined,
      correlationId: correlationId(ctx),
      consentText,
    });
    if (!(await recordOrStop(ctx, ledger, logger, record))) return;
    // OIDC-7: withdrawn means every token of the grant stops working now.
    await revokeGrant(provider, held.grantId);
    ctx.status = 303;
    ctx.redirect(`${PATH}/consents?withdrawn=${encodeURIComponent(clientId)}`);
  });

  return router;
}
