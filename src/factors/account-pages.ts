// AUTH-1: a person manages their second factors on the account pages (/account/factors):
// see them, add a one-time-code app, remove one, get new recovery codes. Any change needs
// a recent second factor (assurance.recentFactor seconds), checked on this page through
// the same throttled checks as the sign-in; adding a first factor needs only the sign-in.
// Plain forms, CSRF-guarded, no JavaScript.
import type Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import type { Config } from '../config/load.js';
import { checkCsrf, FormError, issueCsrf, readForm } from '../web/form.js';
import { sendPage } from '../web/render.js';
import type { FactorService } from './service.js';
import { hasAnyFactor, type AccountFactors } from './store.js';
import { groupedSecret, newTotpSecret, totpUri } from './totp.js';

/** The account page's session, as account.ts keeps it. */
export interface AccountSessionRecord {
  accountId: string;
  /** when a second factor was last checked in this session (seconds) */
  factorAt?: number | undefined;
  /** a TOTP secret shown for enrolment, not yet confirmed */
  enrolSecret?: string | undefined;
}

export interface AccountSessionAccess {
  /** the signed-in session, or undefined (then the caller sends the person to sign in) */
  current(ctx: Context): Promise<AccountSessionRecord | undefined>;
  update(ctx: Context, change: Partial<AccountSessionRecord>): Promise<void>;
}

const PATH = '/account/factors';
const dateFormat = new Intl.DateTimeFormat('en-NZ', { dateStyle: 'long', timeZone: 'UTC' });
const day = (seconds: number) => dateFormat.format(new Date(seconds * 1000));
const epoch = () => Math.floor(Date.now() / 1000);

export function factorPages(router: Router, config: Config, factors: FactorService, sessions: AccountSessionAccess): void {
  const recent = (s: AccountSessionRecord) => s.factorAt !== undefined && epoch() - s.factorAt <= config.assurance.recentFactor;
  /** May this session change factors now? Yes with a recent factor, or when there is none to prove. */
  const mayChange = (s: AccountSessionRecord, f: AccountFactors) => recent(s) || !hasAnyFactor(f);

  async function signedIn(ctx: Context): Promise<AccountSessionRecord | undefined> {
    const session = await sessions.current(ctx);
    if (!session) {
      ctx.status = 303;
      ctx.redirect('/account/login');
    }
    return session;
  }

  async function showVerify(ctx: Context, f: AccountFactors, error?: string, status = 200) {
    await sendPage(ctx, 'second-factor', {
      title: 'Confirm it is you',
      intro: 'Changing your second factors needs a second check first.',
      csrf: issueCsrf(ctx, '/account'),
      error,
      otpAction: f.totp ? `${PATH}/verify` : undefined,
      recoveryAction: f.recovery?.hashes.length ? `${PATH}/verify` : undefined,
      passkey: undefined,
      cancelAction: `${PATH}/done`,
      scripts: [],
    }, error ? status : 200);
  }

  async function showList(ctx: Context, accountId: string, f: AccountFactors, notice?: string) {
    await sendPage(ctx, 'account-factors', {
      title: 'Your second factors',
      csrf: issueCsrf(ctx, '/account'),
      notice,
      totp: f.totp ? { since: day(f.totp.created) } : undefined,
      passkeys: f.passkeys.map((p) => ({ id: p.id, name: p.name, since: day(p.created) })),
      recoveryLeft: f.recovery?.hashes.length ?? 0,
      accountId,
    });
  }

  async function showRecovery(ctx: Context, codes: string[]) {
    await sendPage(ctx, 'recovery-codes', {
      title: 'Your new recovery codes',
      intro: 'Each of these codes lets you in once if you lose your phone or key. Write them down or print them. Your old codes no longer work. They are shown only now.',
      codes,
      csrf: issueCsrf(ctx, '/account'),
      action: `${PATH}/done`,
      label: 'Back to your second factors',
    });
  }

  router.get('/factors', async (ctx) => {
    const session = await signedIn(ctx);
    if (!session) return;
    const f = await factors.store.get(session.accountId);
    if (!mayChange(session, f)) return showVerify(ctx, f);
    await showList(ctx, session.accountId, f, typeof ctx.query.done === 'string' ? 'Your change is saved.' : undefined);
  });

  router.post('/factors/done', async (ctx) => {
    checkCsrf(ctx, await readForm(ctx));
    ctx.status = 303;
    ctx.redirect(PATH);
  });

  router.post('/factors/verify', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const session = await signedIn(ctx);
    if (!session) return;
    const code = form.get('code');
    const outcome = code !== null ? await factors.otp(ctx, session.accountId, code) : await factors.recovery(ctx, session.accountId, form.get('recovery_code') ?? '');
    if (!outcome.ok) return showVerify(ctx, await factors.store.get(session.accountId), outcome.message, outcome.status);
    await sessions.update(ctx, { factorAt: epoch() });
    ctx.status = 303;
    ctx.redirect(PATH);
  });

  /** The form of a change: CSRF, signed in, and allowed to change now. */
  async function changing(ctx: Context): Promise<{ session: AccountSessionRecord; form: URLSearchParams; f: AccountFactors } | undefined> {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const session = await signedIn(ctx);
    if (!session) return undefined;
    const f = await factors.store.get(session.accountId);
    if (!mayChange(session, f)) {
      await showVerify(ctx, f, 'Confirm it is you first: your last check was too long ago.', 403);
      return undefined;
    }
    return { session, form, f };
  }

  router.post('/factors/remove', async (ctx) => {
    const c = await changing(ctx);
    if (!c) return;
    const kind = c.form.get('kind');
    const id = c.form.get('id');
    if (kind === 'otp') await factors.change(c.session.accountId, 'factor.removed', 'otp', (f) => ({ ...f, totp: undefined }));
    else if (kind === 'passkey' && id) await factors.change(c.session.accountId, 'factor.removed', 'passkey', (f) => ({ ...f, passkeys: f.passkeys.filter((p) => p.id !== id) }));
    else if (kind === 'recovery') await factors.change(c.session.accountId, 'factor.removed', 'recovery', (f) => ({ ...f, recovery: undefined }));
    else throw new FormError(400, 'Choose a factor to remove.');
    ctx.status = 303;
    ctx.redirect(`${PATH}?done=1`);
  });

  router.post('/factors/recovery', async (ctx) => {
    const c = await changing(ctx);
    if (!c) return;
    await showRecovery(ctx, await factors.regenerateRecovery(c.session.accountId));
  });

  router.post('/factors/totp/start', async (ctx) => {
    const c = await changing(ctx);
    if (!c) return;
    const secret = newTotpSecret();
    await sessions.update(ctx, { enrolSecret: secret });
    await showTotp(ctx, secret);
  });

  async function showTotp(ctx: Context, secret: string, error?: string, status = 200) {
    const qr = (await QRCode.toString(totpUri(secret, config.assurance.totpIssuer, 'account'), { type: 'svg', margin: 2 })).replace('<svg ', '<svg role="img" aria-label="QR code to scan with your one-time-code app" class="qr" ');
    await sendPage(ctx, 'enrol-factor', {
      title: 'Add a one-time-code app',
      intro: 'A new app replaces the one you have now, if any.',
      csrf: issueCsrf(ctx, '/account'),
      error,
      otp: { action: `${PATH}/totp`, qr, secret: groupedSecret(secret) },
      passkey: undefined,
      cancelAction: `${PATH}/done`,
      scripts: [],
    }, error ? status : 200);
  }

  router.post('/factors/totp', async (ctx) => {
    const c = await changing(ctx);
    if (!c) return;
    const secret = (await sessions.current(ctx))?.enrolSecret;
    if (!secret) throw new FormError(400, 'Start adding the app again.');
    const outcome = await factors.enrolTotp(ctx, c.session.accountId, secret, c.form.get('code') ?? '');
    if (!outcome.ok) return showTotp(ctx, secret, outcome.message, outcome.status);
    // The code just checked is a second factor: the session has a recent one now.
    await sessions.update(ctx, { enrolSecret: undefined, factorAt: epoch() });
    if (outcome.recoveryCodes) return showRecovery(ctx, outcome.recoveryCodes);
    ctx.status = 303;
    ctx.redirect(`${PATH}?done=1`);
  });
}
