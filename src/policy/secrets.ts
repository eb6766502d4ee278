// TOK-2, TOK-10, EP-2: secrets that look like secrets. A key of one repeated byte or a
// client secret an attacker could guess satisfies a length check and protects nothing.

/** EP-2: a client secret is at least this many characters (RFC 7518 §3.2: 256 bits for HS256). */
export const CLIENT_SECRET_MIN_LENGTH = 32;
/** fewer distinct characters than this in a secret is visibly not random */
const MIN_DISTINCT = 10;

/** Every byte the same (all zeros, all 0x07, …). */
export function isRepeatedByte(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes.every((b) => b === bytes[0]);
}

/** One character, repeated. */
export function isRepeatedChar(text: string): boolean {
  return text.length > 0 && [...text].every((c) => c === text[0]);
}

/**
 * Too few distinct characters to be random. This also catches a short unit repeated
 * ("abcabcabc…"): a unit of fewer than MIN_DISTINCT characters has fewer distinct ones.
 */
export function looksLowEntropy(text: string): boolean {
  return new Set(text).size < MIN_DISTINCT;
}

/** Why a client secret is too weak to use, or undefined when it is fine. Never echoes it. */
export function clientSecretWeakness(secret: string): string | undefined {
  if (secret.length < CLIENT_SECRET_MIN_LENGTH) return `must be at least ${CLIENT_SECRET_MIN_LENGTH} random characters`;
  if (looksLowEntropy(secret)) return 'is visibly not random (a repeated pattern or too few distinct characters)';
  return undefined;
}
