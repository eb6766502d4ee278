// The login throttle: counts password checks BEFORE they run. Each attempt reserves one
// point on every limit that applies, atomically (rate-limiter-flexible: one INCR script in
// Redis, shared by every replica; an in-process counter on the memory store); a refused
// reservation never reaches the password check. A success gives its reservation back.
//
// Which limits apply (lock-out is not a weapon, OWASP's device-cookie pattern):
//   address         strict: every check from one client address
//   accountAddress  strict: one username from one address
//   account         one username from browsers without its device cookie: a rate, no block
//   device          strict: one username from a browser holding its device cookie (only this)
// Keys are keyed hashes of the name and address: neither is kept in clear.
import { createHmac } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LoginConfig } from '../config/schema.js';
import { createCounter, type CounterBackend } from '../storage/limiter.js';
import { StoreUnavailableError } from '../storage/store.js';

export type ThrottleSettings = LoginConfig['throttle'];
export type LimitName = 'address' | 'accountAddress' | 'account' | 'device';

export interface Attempt {
  username: string;
  address: string;
  /** the device cookie's id, only when the cookie is valid for this username */
  device?: string | undefined;
}

export interface Reservation {
  readonly ok: true;
  /** the check did not run after all (too busy): give the points back */
  release(): Promise<void>;
  /** the password was right: give the points back, and this address and device start afresh */
  succeeded(): Promise<void>;
}

export interface Refusal {
  readonly ok: false;
  /** seconds until a try can be checked again */
  retryAfter: number;
  limit: LimitName;
  /** a block (strict limits) rather than a slow-down */
  blocked: boolean;
}

export interface LoginThrottle {
  reserve(attempt: Attempt): Promise<Reservation | Refusal>;
}

export interface ThrottleBackend extends CounterBackend {
  /** keys the hashes of names and addresses */
  lookupKey: Buffer;
}

export const normaliseUsername = (username: string): string => username.trim().toLowerCase();

export function createLoginThrottle(settings: ThrottleSettings, backend: ThrottleBackend): LoginThrottle {
  const limiters: Record<LimitName, RateLimiterAbstract> = {
    address: limiter('address', settings.address.attempts, settings.address.window, settings.address.blockFor),
    accountAddress: limiter('account-address', settings.accountAddress.attempts, settings.accountAddress.window, settings.accountAddress.blockFor),
    account: limiter('account', settings.account.attempts, settings.account.window, 0),
    device: limiter('device', settings.device.attempts, settings.device.window, settings.device.blockFor),
  };

  function limiter(name: string, points: number, duration: number, blockDuration: number): RateLimiterAbstract {
    return createCounter(backend, { name: `login:${name}`, points, duration, blockDuration });
  }

  const hash = (kind: string, value: string) => createHmac('sha256', backend.lookupKey).update(`login-throttle:${kind}:${value}`).digest('base64url').slice(0, 32);

  function keysOf(attempt: Attempt): [LimitName, string][] {
    const user = normaliseUsername(attempt.username);
    // The owner's browser is counted on its own only: guessing from the same address (a
    // shared clinic NAT) must not keep the owner out either. Its cookie cannot be had
    // without the password, and it has its own strict limit.
    if (attempt.device) return [['device', hash('device', `${user}\n${attempt.device}`)]];
    return [
      ['address', hash('address', attempt.address)],
      ['accountAddress', hash('account-address', `${user}\n${attempt.address}`)],
      ['account', hash('account', user)],
    ];
  }

  // Giving points back may fail with the store away: the counts then stay a little high,
  // which is the safe side, and the person's answer does not depend on it.
  const giveBack = (taken: [LimitName, string][]) =>
    Promise.all(taken.map(([name, key]) => limiters[name].reward(key, 1))).then(
      () => undefined,
      () => undefined,
    );

  return {
    async reserve(attempt) {
      const keys = keysOf(attempt);
      const results = await Promise.allSettled(keys.map(([name, key]) => limiters[name].consume(key, 1)));
      const taken = keys.filter((_, i) => results[i]?.status === 'fulfilled');
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      const broken = failed.find((reason) => !(reason instanceof RateLimiterRes));
      if (broken !== undefined) {
        // Fail closed: without a count, no password is checked.
        await giveBack(taken);
        throw new StoreUnavailableError('login throttle unreachable', { cause: broken });
      }
      if (failed.length) {
        // Refused: only checks count, so what this attempt took elsewhere goes back (a
        // refused limit keeps its own count, or its block would end early).
        await giveBack(taken);
        let worst: { name: LimitName; ms: number } = { name: 'address', ms: 0 };
        keys.forEach(([name], i) => {
          const r = results[i];
          if (r?.status === 'rejected' && (r.reason as RateLimiterRes).msBeforeNext >= worst.ms) worst = { name, ms: (r.reason as RateLimiterRes).msBeforeNext };
        });
        return { ok: false, retryAfter: Math.max(1, Math.ceil(worst.ms / 1000)), limit: worst.name, blocked: worst.name !== 'account' };
      }
      return {
        ok: true,
        release: () => giveBack(taken),
        async succeeded() {
          // The person proved themselves from here: this address's count for the name, and
          // the device's, start afresh; the address's and the name's own counts only lose
          // this attempt (an attacker elsewhere keeps being counted).
          await Promise.all(
            taken.map(([name, key]) => (name === 'accountAddress' || name === 'device' ? limiters[name].delete(key) : limiters[name].reward(key, 1))),
          ).catch(() => undefined);
        },
      };
    },
  };
}
