// One sign-in for every form that takes a password (the sign-in interaction, the consents
// page, the CIBA approval page): the attempt is reserved in the throttle first, then the
// password is checked (the account store compares against a decoy hash for unknown names),
// within a bound on checks running at once. Unknown user and wrong password get the same
// answer; every refusal is keyed by the name typed, so it says nothing about the account.
import type { Context } from 'koa';
import type { AccountStore } from '../accounts/store.js';
import type { IdentitySources } from '../accounts/sources/index.js';
import { SourceUnavailableError, type SourceInfo } from '../accounts/sources/types.js';
import { accountRef, audit } from '../ops/request-scope.js';
import type { Config } from '../config/load.js';
import type { Store } from '../storage/store.js';
import { deviceCookies } from './device-cookie.js';
import { inFlightGate } from './in-flight.js';
import { countersFor } from '../storage/limiter.js';
import { createLoginThrottle, normaliseUsername, type Refusal } from './throttle.js';

export type LoginOutcome = { ok: true; accountId: string; source?: SourceInfo | undefined } | { ok: false; status: number; message: string; retryAfter?: number };

export type FactorOutcome = { ok: true } | { ok: false; status: number; message: string; retryAfter?: number };

export interface SignIn {
  /** `sourceId`: the password source the person chose on the page (else each in order) */
  attempt(ctx: Context, username: string, password: string, sourceId?: string): Promise<LoginOutcome>;
  /**
   * AUTH-1: a second-factor code (one-time code, recovery code) for an account whose
   * password was right: through the same throttle as passwords, per account and per
   * address, reserved before `check` runs. `check` answers whether the code was right.
   */
  secondFactor(ctx: Context, accountId: string, method: 'otp' | 'recovery' | 'passkey', check: () => Promise<boolean>): Promise<FactorOutcome>;
}

export const WRONG_CREDENTIALS = 'The username or password is not right.';
export const WRONG_CODE = 'That code is not right, or it was already used. Check your app and try the next code.';
export const BUSY = 'Many sign-ins are being checked right now. Please try again shortly.';

function wait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

function refusalMessage(refusal: Refusal): string {
  return refusal.blocked
    ? `Too many sign-in attempts. Signing in is paused for ${wait(refusal.retryAfter)}.`
    : `Too many sign-in attempts for this username. Wait ${wait(refusal.retryAfter)}, then try again.`;
}

/** The person's directory cannot be asked: not their fault, not a wrong password. */
export const sourceDown = (source: SourceInfo): string => `${source.label} cannot be reached right now, so your password could not be checked. Please try again in a few minutes.`;

export function createSignIn(config: Config, store: Store, accounts: AccountStore & Partial<Pick<IdentitySources, 'authenticateAt'>>): SignIn {
  const settings = config.login.throttle;
  const throttle = createLoginThrottle(settings, countersFor(config, store));
  const devices = deviceCookies(config.secrets.lookupKey, settings.deviceTrust);
  const gate = inFlightGate(settings.inFlight.perAccount, settings.inFlight.perProcess);

  const refuse = (ctx: Context, retryAfter: number, message: string): LoginOutcome => {
    ctx.set('retry-after', String(retryAfter));
    return { ok: false, status: 429, retryAfter, message };
  };

  return {
    async attempt(ctx, username, password, sourceId) {
      const device = devices.deviceFor(ctx, username);
      // Counted before it is checked: parallel guesses each take a point first.
      const reservation = await throttle.reserve({ username, address: ctx.ip, device });
      if (!reservation.ok) {
        audit('signin.throttled', {}, { accountRef: accountRef(username), locked: reservation.blocked, retryAfter: reservation.retryAfter });
        return refuse(ctx, reservation.retryAfter, refusalMessage(reservation));
      }
      // The owner's browser (device cookie) is not held to the per-username bound, so a
      // burst against the name cannot keep its owner out.
      const leave = gate.enter(device ? undefined : normaliseUsername(username));
      if (!leave) {
        await reservation.release();
        audit('signin.throttled', {}, { accountRef: accountRef(username), locked: false, retryAfter: 1, busy: true });
        return refuse(ctx, 1, BUSY);
      }
      let found: { accountId: string; source?: SourceInfo } | undefined;
      try {
        // Only now, past the throttle, is any directory asked.
        if (accounts.authenticateAt) found = await accounts.authenticateAt(username, password, sourceId);
        else {
          const accountId = await accounts.authenticate(username, password);
          found = accountId === undefined ? undefined : { accountId };
        }
      } catch (err) {
        if (!(err instanceof SourceUnavailableError)) throw err;
        // Not checked, so not counted: the points go back.
        await reservation.release();
        audit('signin.failed', {}, { reason: 'source_unavailable', source: err.source.id, accountRef: accountRef(username) });
        ctx.set('retry-after', '30');
        return { ok: false, status: 503, message: sourceDown(err.source) };
      } finally {
        leave();
      }
      if (!found) {
        // Never what was typed: a keyed hash of the name, so failures per account can be counted.
        audit('signin.failed', {}, { reason: 'credentials', accountRef: accountRef(username) });
        return { ok: false, status: 401, message: WRONG_CREDENTIALS };
      }
      const { accountId, source } = found;
      audit('signin.succeeded', { subject: accountId }, { method: 'pwd', ...(source ? { source: source.id } : {}) });
      await reservation.succeeded();
      devices.remember(ctx, username, device);
      return { ok: true, accountId, source };
    },

    async secondFactor(ctx, accountId, method, check) {
      // Counted under the account id (not a typed name), with no device exemption: the
      // password was right, so the factor is the only thing between a guesser and the account.
      const reservation = await throttle.reserve({ username: `factor:${accountId}`, address: ctx.ip });
      if (!reservation.ok) {
        audit('signin.throttled', { subject: accountId }, { method, locked: reservation.blocked, retryAfter: reservation.retryAfter });
        const message = reservation.blocked ? `Too many codes tried. Checking codes is paused for ${wait(reservation.retryAfter)}.` : `Too many codes tried. Wait ${wait(reservation.retryAfter)}, then try again.`;
        return refuse(ctx, reservation.retryAfter, message);
      }
      if (!(await check())) {
        audit('signin.failed', { subject: accountId }, { reason: 'second_factor', method });
        return { ok: false, status: 401, message: WRONG_CODE };
      }
      audit('signin.succeeded', { subject: accountId }, { method });
      await reservation.succeeded();
      return { ok: true };
    },
  };
}
