// One-time codes (RFC 6238, SHA-1, 6 digits, 30 s: what every authenticator app reads)
// through `otpauth`. A code is accepted only for a step later than the last one used, so a
// code seen over someone's shoulder cannot be used again (AUTH-1).
import { Secret, TOTP } from 'otpauth';

const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpOf(secret: string, issuer = '', label = ''): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** The `otpauth://` URI an app scans (shown as a QR code). */
export function totpUri(secret: string, issuer: string, label: string): string {
  return totpOf(secret, issuer, label).toString();
}

/** The secret grouped in fours, for typing into an app by hand. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: 'wrong' | 'replayed' };

/** Checks a code; the step it belongs to is returned so that it can be remembered as used. */
export function checkTotp(secret: string, code: string, window: number, lastStep: number | undefined, now = Date.now()): TotpCheck {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return { ok: false, reason: 'wrong' };
  const delta = totpOf(secret).validate({ token, timestamp: now, window });
  if (delta === null) return { ok: false, reason: 'wrong' };
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  if (lastStep !== undefined && step <= lastStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}
