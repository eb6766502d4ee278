// AUTH-1: the second step of the sign-in, after the password (or, for a step-up, in place
// of it: the session already has the password). The step's state — who, what was done,
// which level is needed, a TOTP secret being enrolled, a WebAuthn challenge — is a sealed
// record keyed by the interaction, so it lives exactly as long as the sign-in and never
// travels to the browser. Pages work without JavaScript for codes; passkeys need it.
import type Router from '@koa/router';
import type { Context } from 'koa';
import QRCode from 'qrcode';
import { errors, type Provider } from 'oidc-provider';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import type { Config } from '../config/load.js';
import { authenticationOptions, parseCredential, registrationOptions, relyingPartyOf, verifyAuthentication, verifyRegistration } from '../factors/passkeys.js';
import type { FactorService } from '../factors/service.js';
import { hasAnyFactor, type AccountFactors } from '../factors/store.js';
import { groupedSecret, newTotpSecret, totpUri } from '../factors/totp.js';
import type { SecondFactor } from '../factors/settings.js';
import { audit } from '../ops/request-scope.js';
import { acrReached, amrClaim, amrOfFactor, factorsFor, hasFirstFactor } from '../policy/executors/assurance.js';
import { reaches, requirementFor } from '../provider/assurance.js';
import type { Store } from '../storage/store.js';
import type { Details } from '../consent/decision.js';
import { checkCsrf, FormError, issueCsrf, readForm } from '../web/form.js';
import { sendPage } from '../web/render.js';

const MODEL = 'SignInStep';

interface Step {
  accountId: string;
  /** RFC 8176 methods done so far in this sign-in (the password, or the session's) */
  amr: string[];
  /** the level needed (index into assurance.levels) */
  rank: number;
  /** OIDC-8: the identity source the password was checked by, for the consent ledger */
  source?: string | undefined;
  /** a TOTP secret being enrolled (shown to the person, not yet confirmed) */
  enrolSecret?: string | undefined;
  /** the WebAuthn challenge handed out with the page; used once */
  challenge?: string | undefined;
  /** a factor was enrolled and the recovery codes shown: "continue" finishes */
  ready?: boolean | undefined;
}

export interface SecondFactorDeps {
  provider: Provider;
  config: Config;
  store: Store;
  factors: FactorService;
  /** the interaction this browser is in, checked against the URL */
  load: (ctx: Context) => Promise<Details>;
}

export interface SecondStep {
  /** After a right password: finish the login, or go on to the second step when the level needs it. */
  afterPassword(ctx: Context, details: Details, accountId: string, source?: string): Promise<void>;
  /** A login prompt for a signed-in session that only lacks the level: step up. True when handled. */
  stepUp(ctx: Context, details: Details): Promise<boolean>;
}

export function secondFactorRoutes(router: Router, deps: SecondFactorDeps): SecondStep {
  const { provider, config, store, factors, load } = deps;
  const steps = store.adapter(MODEL);
  const rp = relyingPartyOf(config);
  const base = (uid: string) => `/interaction/${uid}`;

  async function stepOf(details: Details): Promise<Step> {
    const step = (await steps.find(details.uid)) as unknown as Step | undefined;
    if (!step?.accountId) throw new errors.SessionNotFound('no second step for this interaction');
    return step;
  }
  const save = (uid: string, step: Step) => steps.upsert(uid, { ...step, kind: MODEL }, config.lifetimes.interaction);

  /** `saved`: the step was written (a second step was shown); one never written is not deleted (#13.7: a store call per sign-in). */
  async function finish(ctx: Context, details: Details, step: Step, method?: string, saved = true) {
    if (saved) await steps.destroy(details.uid);
    const amr = amrClaim(method ? [...step.amr, method] : step.amr);
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: step.accountId, amr, acr: acrReached(config.assurance, amr) }, ...(step.source ? { source: step.source } : {}) }, { mergeWithLastSubmission: false });
  }

  async function unmet(ctx: Context, description: string) {
    await provider.interactionFinished(ctx.req, ctx.res, { error: 'unmet_authentication_requirements', error_description: `${description} (AUTH-1)` }, { mergeWithLastSubmission: false });
  }

  async function begin(ctx: Context, details: Details, accountId: string, amr: string[], source?: string) {
    const client = await provider.Client.find(String(details.params.client_id));
    const needed = requirementFor(config, client, details.params);
    if (!needed.ok) return unmet(ctx, needed.reason);
    const step: Step = { accountId, amr, rank: needed.rank, ...(source ? { source } : {}) };
    if (reaches(config, amr, needed.rank)) return finish(ctx, details, step, undefined, false);
    await save(details.uid, step);
    ctx.status = 303;
    ctx.redirect(`${base(details.uid)}/factor`);
  }

  /** The allowed factors this person has (what the level accepts and they enrolled). */
  function usable(step: Step, f: AccountFactors): Set<SecondFactor> {
    const allowed = factorsFor(config.assurance, step.rank);
    const have = new Set<SecondFactor>();
    if (allowed.includes('otp') && f.totp) have.add('otp');
    if (allowed.includes('passkey') && f.passkeys.length) have.add('passkey');
    if (allowed.includes('recovery') && f.recovery?.hashes.length) have.add('recovery');
    return have;
  }

  async function showVerify(ctx: Context, details: Details, step: Step, f: AccountFactors, error?: string, status = 200) {
    const have = usable(step, f);
    let passkey: { action: string; options: string } | undefined;
    if (have.has('passkey')) {
      const options = await authenticationOptions(rp, f.passkeys);
      await save(details.uid, { ...step, challenge: options.challenge });
      passkey = { action: `${base(details.uid)}/factor/passkey`, options: JSON.stringify(options) };
    }
    await sendPage(ctx, 'second-factor', {
      title: 'Confirm it is you',
      intro: 'This application needs a second check after your password.',
      csrf: issueCsrf(ctx, base(details.uid)),
      error,
      otpAction: have.has('otp') ? `${base(details.uid)}/factor/otp` : undefined,
      recoveryAction: have.has('recovery') ? `${base(details.uid)}/factor/recovery` : undefined,
      passkey,
      cancelAction: `${base(details.uid)}/factor/cancel`,
      scripts: passkey ? ['/static/webauthn.js', '/static/passkey.js'] : [],
    }, error ? status : 200);
  }

  async function showEnrol(ctx: Context, details: Details, step: Step, f: AccountFactors, error?: string, status = 200) {
    const allowed = factorsFor(config.assurance, step.rank);
    const secret = step.enrolSecret ?? newTotpSecret();
    let challenge: string | undefined;
    let passkey: { action: string; options: string } | undefined;
    if (allowed.includes('passkey')) {
      const account = { id: step.accountId, name: step.accountId };
      const options = await registrationOptions(rp, account, f.passkeys);
      challenge = options.challenge;
      passkey = { action: `${base(details.uid)}/enrol/passkey`, options: JSON.stringify(options) };
    }
    await save(details.uid, { ...step, enrolSecret: secret, challenge });
    const uri = totpUri(secret, config.assurance.totpIssuer, step.accountId);
    await sendPage(ctx, 'enrol-factor', {
      title: 'Set up a second factor',
      intro: 'This application needs a second check after your password. Set one up now; you will use it every time this check is needed.',
      csrf: issueCsrf(ctx, base(details.uid)),
      error,
      otp: allowed.includes('otp') ? { action: `${base(details.uid)}/enrol/otp`, qr: await qrSvg(uri), secret: groupedSecret(secret) } : undefined,
      passkey,
      cancelAction: `${base(details.uid)}/factor/cancel`,
      scripts: passkey ? ['/static/webauthn.js', '/static/passkey.js'] : [],
    }, error ? status : 200);
  }

  async function showStep(ctx: Context, details: Details, step: Step, error?: string, status = 200) {
    const f = await factors.store.get(step.accountId);
    if (usable(step, f).size) return showVerify(ctx, details, step, f, error, status);
    // Enrolment during sign-in only for a first factor: replacing a factor needs one (account pages).
    if (config.assurance.enrolAtSignIn && !hasAnyFactor(f)) return showEnrol(ctx, details, step, f, error, status);
    return unmet(ctx, 'the person has no second factor this level accepts');
  }

  /** The step's form: loaded, CSRF-checked, still at the login prompt. */
  async function posted(ctx: Context): Promise<{ details: Details; step: Step; form: URLSearchParams }> {
    const details = await load(ctx);
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    if (details.prompt.name !== 'login' || details.result) throw new FormError(400, 'This step of the sign-in is already done.');
    return { details, step: await stepOf(details), form };
  }

  router.get('/:uid/factor', async (ctx) => {
    const details = await load(ctx);
    if (details.prompt.name !== 'login') throw new FormError(400, 'This step of the sign-in is already done.');
    await showStep(ctx, details, await stepOf(details));
  });

  router.post('/:uid/factor/otp', async (ctx) => {
    const { details, step, form } = await posted(ctx);
    if (!factorsFor(config.assurance, step.rank).includes('otp')) throw new FormError(400, 'A one-time code is not accepted here.');
    const outcome = await factors.otp(ctx, step.accountId, form.get('code') ?? '');
    if (!outcome.ok) return showStep(ctx, details, step, outcome.message, outcome.status);
    await finish(ctx, details, step, 'otp');
  });

  router.post('/:uid/factor/recovery', async (ctx) => {
    const { details, step, form } = await posted(ctx);
    if (!factorsFor(config.assurance, step.rank).includes('recovery')) throw new FormError(400, 'A recovery code is not accepted here.');
    const outcome = await factors.recovery(ctx, step.accountId, form.get('recovery_code') ?? '');
    if (!outcome.ok) return showStep(ctx, details, step, outcome.status === 429 ? outcome.message : 'That recovery code is not right, or it was already used.', outcome.status);
    await finish(ctx, details, step, amrOfFactor('recovery'));
  });

  router.post('/:uid/factor/passkey', async (ctx) => {
    const { details, step, form } = await posted(ctx);
    const response = parseCredential<AuthenticationResponseJSON>(form.get('credential'));
    const challenge = step.challenge;
    // The challenge is used once, whatever the outcome.
    await save(details.uid, { ...step, challenge: undefined });
    if (!response || !challenge) return showStep(ctx, details, step, 'Passkeys need JavaScript in this browser. Use another way below, or turn JavaScript on.', 400);
    const f = await factors.store.get(step.accountId);
    const passkey = f.passkeys.find((p) => p.id === response.id);
    let counter: number | undefined;
    const outcome = await factors.passkey(ctx, step.accountId, async () => {
      counter = passkey ? await verifyAuthentication(rp, response, challenge, passkey) : undefined;
      return counter !== undefined;
    });
    if (!outcome.ok || !passkey || counter === undefined) {
      return showStep(ctx, details, step, !outcome.ok && outcome.status === 429 ? outcome.message : 'That passkey could not be checked. Try again, or use another way.', outcome.ok ? 401 : outcome.status);
    }
    const newCounter = counter;
    await factors.store.put(step.accountId, { ...f, passkeys: f.passkeys.map((p) => (p.id === passkey.id ? { ...p, counter: newCounter } : p)) });
    await finish(ctx, details, step, amrOfFactor('passkey', passkey.multiDevice));
  });

  router.post('/:uid/enrol/otp', async (ctx) => {
    const { details, step, form } = await posted(ctx);
    const secret = step.enrolSecret;
    if (!secret || hasAnyFactor(await factors.store.get(step.accountId))) throw new FormError(400, 'This step of the sign-in is already done.');
    const outcome = await factors.enrolTotp(ctx, step.accountId, secret, form.get('code') ?? '');
    if (!outcome.ok) return showStep(ctx, details, step, outcome.message, outcome.status);
    await showRecovery(ctx, details, { ...step, enrolSecret: undefined, amr: [...step.amr, 'otp'], ready: true }, outcome.recoveryCodes ?? []);
  });

  router.post('/:uid/enrol/passkey', async (ctx) => {
    const { details, step, form } = await posted(ctx);
    const response = parseCredential<RegistrationResponseJSON>(form.get('credential'));
    const challenge = step.challenge;
    await save(details.uid, { ...step, challenge: undefined });
    if (!response || !challenge) return showStep(ctx, details, step, 'Passkeys need JavaScript in this browser. Set up a one-time-code app instead, or turn JavaScript on.', 400);
    if (hasAnyFactor(await factors.store.get(step.accountId))) throw new FormError(400, 'This step of the sign-in is already done.');
    const passkey = await verifyRegistration(rp, response, challenge, 'Passkey');
    if (!passkey) return showStep(ctx, details, step, 'That passkey could not be set up. Try again.', 400);
    await factors.change(step.accountId, 'factor.enrolled', amrOfFactor('passkey', passkey.multiDevice), (f) => ({ ...f, passkeys: [...f.passkeys, passkey] }));
    audit('signin.succeeded', { subject: step.accountId }, { method: 'passkey' });
    const codes = await factors.regenerateRecovery(step.accountId);
    await showRecovery(ctx, details, { ...step, amr: [...step.amr, amrOfFactor('passkey', passkey.multiDevice)], ready: true }, codes);
  });

  async function showRecovery(ctx: Context, details: Details, step: Step, codes: string[]) {
    await save(details.uid, step);
    await sendPage(ctx, 'recovery-codes', {
      title: 'Keep your recovery codes',
      intro: 'If you lose your phone or key, each of these codes lets you in once. Write them down or print them, and keep them somewhere safe. They are shown only now.',
      codes,
      csrf: issueCsrf(ctx, base(details.uid)),
      action: `${base(details.uid)}/factor/continue`,
    });
  }

  router.post('/:uid/factor/continue', async (ctx) => {
    const { details, step } = await posted(ctx);
    if (!step.ready) throw new FormError(400, 'This step of the sign-in is not done yet.');
    await finish(ctx, details, step);
  });

  router.post('/:uid/factor/cancel', async (ctx) => {
    const { details } = await posted(ctx);
    await steps.destroy(details.uid);
    await unmet(ctx, 'the person did not complete the second factor');
  });

  return {
    afterPassword: (ctx, details, accountId, source) => begin(ctx, details, accountId, ['pwd'], source),
    async stepUp(ctx, details) {
      const reasons = details.prompt.reasons;
      const session = details.session;
      const amr = (session as { amr?: string[] } | undefined)?.amr ?? [];
      // Only the level is missing, and a first factor (the password, or an identity source's
      // sign-in) was done in this session: ask for the second factor alone.
      if (!session?.accountId || !hasFirstFactor(amr) || !reasons.length || reasons.some((r) => r !== 'assurance_level')) return false;
      // OIDC-8: an identity source's sign-in just before this step still goes to the ledger.
      const source = details.lastSubmission?.source;
      await begin(ctx, details, session.accountId, amr, typeof source === 'string' ? source : undefined);
      return true;
    },
  };
}

async function qrSvg(text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
  return svg.replace('<svg ', '<svg role="img" aria-label="QR code to scan with your one-time-code app" class="qr" ');
}
