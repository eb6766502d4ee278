// The built-in authentication device: /ciba/approve, a page the person opens on another
// device or tab. They sign in with username and password, see the pending requests for
// their account (client name, binding message, what would be shared) and approve or deny
// each with a CSRF-protected form. Nothing identifies a request in a URL or log: the page
// refers to each by a random reference that only resolves inside the signed-in person's
// own list (kept, sealed, in the store — so every replica sees it).
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { AdapterPayload } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { checkCsrf, FormError, issueCsrf, readForm } from '../web/form.js';
import type { SignIn } from '../web/sign-in.js';
import { sendPage } from '../web/render.js';
import { describeScopes, splitScopes } from '../consent/scopes.js';
import type { Logger } from '../ops/log.js';
import type { Store } from '../storage/store.js';
import type { AuthenticationDevice, CibaDecisions, CibaRequest, DecisionOutcome } from './device.js';

export const APPROVAL_PATH = '/ciba/approve';
const SESSION_COOKIE = 'idp.ciba';
const SESSION_TTL = 10 * 60;
/** pending requests kept per person; older ones drop off the list (and simply expire) */
const INBOX_LIMIT = 20;

interface InboxEntry {
  ref: string;
  requestId: string;
  exp: number;
}

interface Inbox extends AdapterPayload {
  entries: InboxEntry[];
}

export interface ApprovalPageDeps {
  config: Config;
  store: Store;
  signIn: SignIn;
  decisions: CibaDecisions;
  logger: Logger;
}

const epoch = () => Math.floor(Date.now() / 1000);
const random = () => randomBytes(32).toString('base64url');

const OUTCOME_MESSAGES: Record<DecisionOutcome, string> = {
  approved: 'Done: you approved the request. You can go back to the other device.',
  denied: 'Done: you declined the request. Nothing was shared.',
  expired: 'That request has expired. Ask for it to be sent again.',
  'already-decided': 'That request was already answered.',
  'not-found': 'That request is no longer waiting for you.',
  'not-recorded': 'Your answer could not be saved, so nothing changed. Please try again in a moment.',
};

export function createApprovalPage({ config, store, signIn, decisions, logger }: ApprovalPageDeps): { device: AuthenticationDevice; router: Router } {
  const inboxes = store.adapter('CibaInbox');
  const sessions = store.adapter('CibaApprovalSession');

  async function readInbox(accountId: string): Promise<InboxEntry[]> {
    const inbox = (await inboxes.find(accountId)) as Inbox | undefined;
    const now = epoch();
    return (inbox?.entries ?? []).filter((e) => e.exp > now);
  }

  async function writeInbox(accountId: string, entries: InboxEntry[]): Promise<void> {
    if (!entries.length) return inboxes.destroy(accountId);
    const ttl = Math.max(...entries.map((e) => e.exp)) - epoch();
    await inboxes.upsert(accountId, { entries }, Math.max(ttl, 1));
  }

  const device: AuthenticationDevice = {
    async notify(request: CibaRequest) {
      // Two requests for one person at the same instant may race here; the loser only
      // goes missing from the list and expires unanswered (never approved by mistake).
      const entries = await readInbox(request.accountId);
      entries.push({ ref: random(), requestId: request.id, exp: request.expiresAt });
      await writeInbox(request.accountId, entries.slice(-INBOX_LIMIT));
      if (config.mode === 'development') logger.log('info', 'ciba.approval_page', { message: `a request is waiting at ${config.issuer.replace(/\/$/, '')}${APPROVAL_PATH}` });
    },
  };

  async function signedIn(ctx: Context): Promise<{ sid: string; accountId: string } | undefined> {
    const sid = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    if (!sid) return undefined;
    const session = await sessions.find(sid);
    return typeof session?.accountId === 'string' ? { sid, accountId: session.accountId } : undefined;
  }

  const cookieOptions = (ctx: Context) => ({ signed: true, httpOnly: true, sameSite: 'strict' as const, path: '/ciba', secure: ctx.secure, overwrite: true });

  async function showSignIn(ctx: Context, error?: string, username = '', status = 401): Promise<void> {
    await sendPage(ctx, 'ciba-sign-in', { title: 'Sign in to answer a request', csrf: issueCsrf(ctx, '/ciba'), error, username }, error ? status : 200);
  }

  async function showRequests(ctx: Context, accountId: string, notice?: string): Promise<void> {
    const entries = await readInbox(accountId);
    const requests = [];
    const live: InboxEntry[] = [];
    for (const entry of entries) {
      const request = await decisions.describe(entry.requestId, accountId);
      if (!request) continue;
      live.push(entry);
      // OIDC-7: the lines are what approving grants (the consent domain's one split).
      const asked = splitScopes(config, request.scopes, request.resources);
      requests.push({
        ref: entry.ref,
        clientName: request.clientName,
        bindingMessage: request.bindingMessage,
        scopes: describeScopes(config, asked.scopes, asked.resources),
        minutesLeft: Math.max(1, Math.ceil((request.expiresAt - epoch()) / 60)),
      });
    }
    if (live.length !== entries.length) await writeInbox(accountId, live);
    await sendPage(ctx, 'ciba-requests', { title: 'Requests waiting for you', csrf: issueCsrf(ctx, '/ciba'), requests, notice });
  }

  const router = new Router({ prefix: APPROVAL_PATH });

  // Errors become readable pages in the web layer (src/web/errors.ts): /ciba is a page path.
  router.get('/', async (ctx) => {
    const session = await signedIn(ctx);
    if (!session) return showSignIn(ctx);
    return showRequests(ctx, session.accountId);
  });

  router.post('/sign-in', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const username = form.get('username') ?? '';
    // The same throttled sign-in as the other password forms; one message for an unknown
    // user and a wrong password (no account enumeration).
    const outcome = await signIn.attempt(ctx, username, form.get('password') ?? '');
    if (!outcome.ok) return showSignIn(ctx, outcome.message, username, outcome.status);
    const { accountId } = outcome;
    const previous = await signedIn(ctx);
    if (previous) await sessions.destroy(previous.sid);
    const sid = random(); // a fresh session id at every sign-in (no fixation)
    await sessions.upsert(sid, { accountId, amr: ['pwd'] }, SESSION_TTL);
    ctx.cookies.set(SESSION_COOKIE, sid, { ...cookieOptions(ctx), maxAge: SESSION_TTL * 1000 });
    ctx.status = 303;
    ctx.redirect(APPROVAL_PATH);
  });

  router.post('/decide', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const session = await signedIn(ctx);
    if (!session) return showSignIn(ctx);
    const decision = form.get('decision');
    if (decision !== 'approve' && decision !== 'deny') throw new FormError(400, 'Choose Approve or Decline.');
    const entries = await readInbox(session.accountId);
    const entry = entries.find((e) => e.ref === form.get('ref'));
    let outcome: DecisionOutcome = 'not-found';
    if (entry) {
      // OIDC-7: the information owner decides, on their own signed-in device.
      outcome = decision === 'approve'
        ? await decisions.approve(entry.requestId, { accountId: session.accountId, amr: ['pwd'] })
        : await decisions.deny(entry.requestId, session.accountId);
      if (outcome !== 'not-recorded') await writeInbox(session.accountId, entries.filter((e) => e !== entry));
    }
    return showRequests(ctx, session.accountId, OUTCOME_MESSAGES[outcome]);
  });

  router.post('/sign-out', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const session = await signedIn(ctx);
    if (session) await sessions.destroy(session.sid);
    ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOptions(ctx), maxAge: 0 });
    return showSignIn(ctx);
  });

  return { device, router };
}
