// Single-use recovery codes: shown once, kept only as keyed hashes. Ten random base32
// characters (50 bits) each, so a keyed SHA-256 is enough (they are not guessable like
// passwords, and every try goes through the sign-in throttle).
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i: read off paper

export function newRecoveryCodes(count: number): string[] {
  return Array.from({ length: count }, () => {
    const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

export function normaliseRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function hashRecoveryCode(key: Buffer, code: string): string {
  return createHmac('sha256', key).update(`recovery-code:${normaliseRecoveryCode(code)}`).digest('base64url');
}

/** The remaining hashes once `code` is used, or undefined when it is not one of them. */
export function useRecoveryCode(key: Buffer, hashes: readonly string[], code: string): string[] | undefined {
  const given = Buffer.from(hashRecoveryCode(key, code));
  const index = hashes.findIndex((h) => h.length === given.length && timingSafeEqual(Buffer.from(h), given));
  return index < 0 ? undefined : hashes.filter((_, i) => i !== index);
}
