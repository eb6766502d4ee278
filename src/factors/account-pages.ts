// AUTH-1: a person manages their second factors on the account pages (/account/factors):
// see them, add a one-time-code app or a passkey, remove one, get new recovery codes. Any
// change needs a recent second factor (assurance.recentFactor seconds), checked on this
// page through the same throttled checks as the sign-in (a passkey too); adding a first
// factor needs only the sign-in. Plain CSRF-guarded forms; only passkeys need JavaScript
// (the static scripts, as at sign-in), and the WebAuthn challenge stays in the session.
import type Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Config } from '../config/load.js';
import { amrOfFactor } from '../policy/executors/assurance.js';
import { authenticationOptions, parseCredential, registrationOptions, relyingPartyOf, verifyAuthentication, verifyRegistration } from './passkeys.js';
import { dayOf } from '../web/dates.js';
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
  /** the WebAuthn challenge handed out with the last passkey page; used once */
  challenge?: string | undefined;
}

export interface AccountSessionAccess {
  /** the signed-in session, or undefined (then the caller sends the person to sign in) */
  current(ctx: Context): Promise<AccountSessionRecord | undefined>;
  update(ctx: Context, change: Partial<AccountSessionRecord>): Promise<void>;
}

const PATH = '/account/factors';
const day = (seconds: number) => dayOf(new Date(seconds * 1000));
const epoch = () => Math.floor(Date.now() / 1000);
const PASSKEY_SCRIPTS = ['/static/webauthn.js', '/static/passkey.js'];
/** The cancel form's words on these pages: nobody is signing in to an application here. */
const BACK = { text: 'Changed your mind? Nothing is changed.', label: 'Back to your second factors' };

export function factorPages(router: Router, config: Config, factors: FactorService, sessions: AccountSessionAccess): void {
  const rp = relyingPartyOf(config);
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
    let passkey: { action: string; options: string } | undefined;
    if (f.passkeys.length) {
      const options = await authenticationOptions(rp, f.passkeys);
      await sessions.update(ctx, { challenge: options.challenge });
      passkey = { action: `${PATH}/verify/passkey`, options: JSON.stringify(options) };
    }
    await sendPage(ctx, 'second-factor', {
      title: 'Confirm it is you',
      intro: 'Changing your second factors needs a second check first.',
      csrf: issueCsrf(ctx, '/account'),
      error,
      otpAction: f.totp ? `${PATH}/verify` : undefined,
      recoveryAction: f.recovery?.hashes.length ? `${PATH}/verify` : undefined,
      passkey,
      cancelAction: `${PATH}/leave`,
      cancel: { text: 'Not now? Your second factors stay as they are.', label: 'Back to your account' },
      scripts: passkey ? PASSKEY_SCRIPTS : [],
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

  router.post('/factors/leave', async (ctx) => {
    checkCsrf(ctx, await readForm(ctx));
    ctx.status = 303;
    ctx.redirect('/account/consents');
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
      cancel: BACK,
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
  router.post('/factors/verify/passkey', async (ctx) => {
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const session = await signedIn(ctx);
    if (!session) return;
    const challenge = session.challenge;
    // The challenge is used once, whatever the outcome.
    await sessions.update(ctx, { challenge: undefined });
    const f = await factors.store.get(session.accountId);
    const response = parseCredential<AuthenticationResponseJSON>(form.get('credential'));
    if (!response || !challenge) return showVerify(ctx, f, 'Passkeys need JavaScript in this browser. Use another way below, or turn JavaScript on.', 400);
    const passkey = f.passkeys.find((p) => p.id === response.id);
    let counter: number | undefined;
    const outcome = await factors.passkey(ctx, session.accountId, async () => {
      counter = passkey ? await verifyAuthentication(rp, response, challenge, passkey) : undefined;
      return counter !== undefined;
    });
    if (!outcome.ok || !passkey || counter === undefined) {
      return showVerify(ctx, await factors.store.get(session.accountId), !outcome.ok && outcome.status === 429 ? outcome.message : 'That passkey could not be checked. Try again, or use another way.', outcome.ok ? 401 : outcome.status);
    }
    const newCounter = counter;
    await factors.store.put(session.accountId, { ...f, passkeys: f.passkeys.map((p) => (p.id === passkey.id ? { ...p, counter: newCounter } : p)) });
    await sessions.update(ctx, { factorAt: epoch() });
    ctx.status = 303;
    ctx.redirect(PATH);
  });

  async function showPasskey(ctx: Context, session: AccountSessionRecord, f: AccountFactors, error?: string, status = 200) {
    const options = await registrationOptions(rp, { id: session.accountId, name: session.accountId }, f.passkeys);
    await sessions.update(ctx, { challenge: options.challenge });
    await sendPage(ctx, 'enrol-factor', {
      title: 'Add a passkey',
      intro: 'A passkey uses this device\'s screen lock, or a security key, as your second factor. You can have several.',
      csrf: issueCsrf(ctx, '/account'),
      error,
      otp: undefined,
      passkey: { action: `${PATH}/passkey`, options: JSON.stringify(options) },
      cancelAction: `${PATH}/done`,
      cancel: BACK,
      scripts: PASSKEY_SCRIPTS,
    }, error ? status : 200);
  }

  router.post('/factors/passkey/start', async (ctx) => {
    const c = await changing(ctx);
    if (!c) return;
    await showPasskey(ctx, c.session, c.f);
  });

  router.post('/factors/passkey', async (ctx) => {
    const c = await changing(ctx);
    if (!c) return;
    const challenge = c.session.challenge;
    await sessions.update(ctx, { challenge: undefined });
    const response = parseCredential<RegistrationResponseJSON>(c.form.get('credential'));
    if (!response || !challenge) return showPasskey(ctx, c.session, c.f, 'Passkeys need JavaScript in this browser. Turn JavaScript on, or add a one-time-code app instead.', 400);
    const passkey = await verifyRegistration(rp, response, challenge, c.f.passkeys.length ? `Passkey ${c.f.passkeys.length + 1}` : 'Passkey');
    if (!passkey) return showPasskey(ctx, c.session, c.f, 'That passkey could not be added. Try again.', 400);
    const saved = await factors.change(c.session.accountId, 'factor.enrolled', amrOfFactor('passkey', passkey.multiDevice), (f) => ({ ...f, passkeys: [...f.passkeys, passkey] }));
    // Making the passkey used it: the session has a recent second factor now.
    await sessions.update(ctx, { factorAt: epoch() });
    // A first factor comes with recovery codes, as at sign-in.
    if (!saved.recovery?.hashes.length) return showRecovery(ctx, await factors.regenerateRecovery(c.session.accountId));
    ctx.status = 303;
    ctx.redirect(`${PATH}?done=1`);
  });
}
