// One login check for every form that takes a password (the sign-in interaction and the
// consents page): throttled first, then the account store (which compares against a decoy
// hash for unknown names). Unknown user and wrong password get the same answer.
import type { Context } from 'koa';
import type { AccountStore } from '../accounts/store.js';
import { accountRef, audit } from '../ops/request-scope.js';
import type { LoginThrottle } from './throttle.js';

export type LoginOutcome = { ok: true; accountId: string } | { ok: false; status: number; message: string; retryAfter?: number };

export const WRONG_CREDENTIALS = 'The username or password is not right.';

function wait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

export async function attemptLogin(ctx: Context, throttle: LoginThrottle, accounts: AccountStore, username: string, password: string): Promise<LoginOutcome> {
  const verdict = throttle.check(username, ctx.ip);
  if (!verdict.allowed) {
    // The same for every name typed, existing or not: the throttle is keyed by the name.
    ctx.set('retry-after', String(verdict.retryAfter));
    audit('signin.throttled', {}, { accountRef: accountRef(username), locked: verdict.locked, retryAfter: verdict.retryAfter });
    return {
      ok: false,
      status: 429,
      retryAfter: verdict.retryAfter,
      message: verdict.locked
        ? `Too many sign-in attempts. Signing in is paused for ${wait(verdict.retryAfter)}.`
        : `Too many sign-in attempts. Wait ${wait(verdict.retryAfter)}, then try again.`,
    };
  }
  const accountId = await accounts.authenticate(username, password);
  if (!accountId) {
    throttle.failure(username, ctx.ip);
    // Never what was typed: a keyed hash of the name, so failures per account can be counted.
    audit('signin.failed', {}, { reason: 'credentials', accountRef: accountRef(username) });
    return { ok: false, status: 401, message: WRONG_CREDENTIALS };
  }
  throttle.success(username, ctx.ip);
  audit('signin.succeeded', { subject: accountId }, { method: 'pwd' });
  return { ok: true, accountId };
}
