// The second-factor checks every page uses (sign-in step, step-up, account pages): each
// code goes through the one sign-in throttle first (login.ts), then is checked, then is
// marked used — atomically across replicas (a counter that admits one use per code), so a
// code cannot be replayed even by two requests racing (AUTH-1). Audit events carry the
// method and account, never a code or secret.
import type { Context } from 'koa';
import { RateLimiterRes } from 'rate-limiter-flexible';
import type { Config } from '../config/load.js';
import type { FactorOutcome, SignIn } from '../web/sign-in.js';
import { audit } from '../ops/request-scope.js';
import { counterKey, createCounter, type CounterBackend } from '../storage/limiter.js';
import { StoreUnavailableError } from '../storage/store.js';
import { hashRecoveryCode, newRecoveryCodes, useRecoveryCode } from './recovery.js';
import type { AccountFactors, FactorStore } from './store.js';
import { checkTotp } from './totp.js';

export interface FactorService {
  readonly store: FactorStore;
  /** A one-time code from the person's app. */
  otp(ctx: Context, accountId: string, code: string): Promise<FactorOutcome>;
  /** A recovery code; it is gone once used. */
  recovery(ctx: Context, accountId: string, code: string): Promise<FactorOutcome>;
  /** A passkey assertion, checked by `verify` (WebAuthn), counted like a code. */
  passkey(ctx: Context, accountId: string, verify: () => Promise<boolean>): Promise<FactorOutcome>;
  /** Confirms a new app with its first code; saves it and answers the recovery codes to show (once). */
  enrolTotp(ctx: Context, accountId: string, secret: string, code: string): Promise<FactorOutcome & { recoveryCodes?: string[] }>;
  /** A new set of recovery codes (the old set stops working); the codes, to show once. */
  regenerateRecovery(accountId: string): Promise<string[]>;
  /** Saves a change and records it in the audit trail. */
  change(accountId: string, event: 'factor.enrolled' | 'factor.removed', method: string, update: (f: AccountFactors) => AccountFactors): Promise<AccountFactors>;
}

export function createFactorService(config: Config, store: FactorStore, signIn: SignIn, counters: CounterBackend & { lookupKey: Buffer }): FactorService {
  const window = config.assurance.totpWindow;
  // One use per code: a 30-second step's code lives (window × 2 + 1) steps at most.
  const once = createCounter(counters, { name: 'factor:once', points: 1, duration: 30 * (2 * window + 2) });
  const recoveryKey = counters.lookupKey;

  /** True the first time `what` is seen within the counter's window. */
  async function firstUse(what: string): Promise<boolean> {
    try {
      await once.consume(counterKey(counters.lookupKey, 'factor-once', what), 1);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      throw new StoreUnavailableError('second-factor replay guard unreachable', { cause: err });
    }
  }

  async function issueRecovery(accountId: string): Promise<string[]> {
    const codes = newRecoveryCodes(config.assurance.recoveryCodes);
    const current = await store.get(accountId);
    await store.put(accountId, { ...current, recovery: { hashes: codes.map((c) => hashRecoveryCode(recoveryKey, c)), created: epoch() } });
    return codes;
  }

  const service: FactorService = {
    store,
    otp(ctx, accountId, code) {
      return signIn.secondFactor(ctx, accountId, 'otp', async () => {
        const factors = await store.get(accountId);
        if (!factors.totp) return false;
        const result = checkTotp(factors.totp.secret, code, window, factors.totp.lastStep);
        if (!result.ok || !(await firstUse(`otp:${accountId}:${result.step}`))) return false;
        await store.put(accountId, { ...factors, totp: { ...factors.totp, lastStep: result.step } });
        return true;
      });
    },
    recovery(ctx, accountId, code) {
      return signIn.secondFactor(ctx, accountId, 'recovery', async () => {
        const factors = await store.get(accountId);
        const remaining = factors.recovery && useRecoveryCode(recoveryKey, factors.recovery.hashes, code);
        if (!remaining || !(await firstUse(`recovery:${accountId}:${hashRecoveryCode(recoveryKey, code)}`))) return false;
        await store.put(accountId, { ...factors, recovery: { ...factors.recovery!, hashes: remaining } });
        return true;
      });
    },
    passkey(ctx, accountId, verify) {
      return signIn.secondFactor(ctx, accountId, 'passkey', verify);
    },
    async enrolTotp(ctx, accountId, secret, code) {
      let step = 0;
      const outcome = await signIn.secondFactor(ctx, accountId, 'otp', async () => {
        const result = checkTotp(secret, code, window, undefined);
        if (!result.ok || !(await firstUse(`otp:${accountId}:${result.step}`))) return false;
        step = result.step;
        return true;
      });
      if (!outcome.ok) return outcome;
      await service.change(accountId, 'factor.enrolled', 'otp', (f) => ({ ...f, totp: { secret, created: epoch(), lastStep: step } }));
      const existing = await store.get(accountId);
      return { ok: true, ...(existing.recovery?.hashes.length ? {} : { recoveryCodes: await issueRecovery(accountId) }) };
    },
    async regenerateRecovery(accountId) {
      const codes = await issueRecovery(accountId);
      audit('factor.enrolled', { subject: accountId }, { method: 'recovery', count: codes.length });
      return codes;
    },
    async change(accountId, event, method, update) {
      const next = update(await store.get(accountId));
      await store.put(accountId, next);
      audit(event, { subject: accountId }, { method });
      return next;
    },
  };
  return service;
}

const epoch = () => Math.floor(Date.now() / 1000);
