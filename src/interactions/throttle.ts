// Login abuse resistance: failures are counted per account name (whether or not the
// account exists, so the throttle itself reveals nothing) and per client IP. After a few
// free failures each further one doubles the wait before the next try; after many, the
// key is locked for a while. Kept in process: each instance throttles on its own.
import type { LoginConfig } from '../config/schema.js';

type Settings = LoginConfig['throttle'];

interface Entry {
  failures: number;
  /** epoch ms of the last failure */
  last: number;
  /** epoch ms until which tries are refused */
  blockedUntil: number;
  locked: boolean;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfter: number; locked: boolean };

export interface LoginThrottle {
  /** May this attempt be checked at all? Refused attempts do not reach the password check. */
  check(account: string, ip: string, now?: number): Verdict;
  failure(account: string, ip: string, now?: number): void;
  success(account: string, ip: string): void;
}

const MAX_KEYS = 100_000;

export function createLoginThrottle(settings: Settings): LoginThrottle {
  const entries = new Map<string, Entry>();
  const norm = (account: string) => `a:${account.trim().toLowerCase()}`;
  const ipKey = (ip: string) => `i:${ip}`;

  function current(key: string, now: number): Entry | undefined {
    const e = entries.get(key);
    if (!e) return undefined;
    if (e.locked && e.blockedUntil <= now) {
      // A lock that ran out: back-off resumes at once, and a few more failures lock again.
      e.locked = false;
      e.failures = Math.max(0, Math.min(e.failures, settingsFor(key).freeAttempts));
    }
    if (!e.locked && now - e.last > settings.window * 1000) {
      entries.delete(key);
      return undefined;
    }
    return e;
  }

  const settingsFor = (key: string) => (key.startsWith('a:') ? settings.account : settings.ip);

  function verdictOf(key: string, now: number): Verdict {
    const e = current(key, now);
    if (!e || e.blockedUntil <= now) return { allowed: true };
    return { allowed: false, retryAfter: Math.ceil((e.blockedUntil - now) / 1000), locked: e.locked };
  }

  function fail(key: string, now: number): void {
    const limits = settingsFor(key);
    const e = current(key, now) ?? { failures: 0, last: now, blockedUntil: 0, locked: false };
    e.failures += 1;
    e.last = now;
    if (e.failures >= limits.lockAfter) {
      e.locked = true;
      e.blockedUntil = now + settings.lockFor * 1000;
    } else if (e.failures > limits.freeAttempts) {
      const delay = Math.min(settings.maxDelay, settings.baseDelay * 2 ** (e.failures - limits.freeAttempts - 1));
      e.blockedUntil = now + delay * 1000;
    }
    entries.delete(key);
    entries.set(key, e);
    // Bounded: the least recently failed keys go first.
    while (entries.size > MAX_KEYS) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  }

  return {
    check(account, ip, now = Date.now()) {
      const a = verdictOf(norm(account), now);
      const i = verdictOf(ipKey(ip), now);
      if (a.allowed) return i;
      if (i.allowed) return a;
      return a.retryAfter >= i.retryAfter ? a : i;
    },
    failure(account, ip, now = Date.now()) {
      fail(norm(account), now);
      fail(ipKey(ip), now);
    },
    success(account) {
      // The account's count starts again; the IP's does not (one known password must not
      // reset the back-off of an address trying many accounts).
      entries.delete(norm(account));
    },
  };
}
