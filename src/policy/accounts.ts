// The file's accounts: password hashes a login can verify in sane time and memory, and
// usernames that name one person each (login compares them case-insensitively).
import type { Problem } from '../config/errors.js';
import type { AccountConfig } from '../config/schema.js';
import { parseHash } from '../accounts/password.js';

/** scrypt cost bounds. N below the minimum is cheap to brute-force; above the maximum a login needs gigabytes. */
export const SCRYPT_LIMITS = {
  /** production: 2^14, the least OWASP accepts for scrypt */
  minN: 2 ** 14,
  /** development (test accounts that sign in many times) */
  minNDevelopment: 2 ** 10,
  /** 128·N·r bytes per login: at most 256 MiB */
  maxMemory: 256 * 1024 * 1024,
  maxR: 32,
  maxP: 16,
  minSaltBytes: 16,
  minHashBytes: 16,
} as const;

function hashProblem(encoded: string, development: boolean): string | undefined {
  const parsed = parseHash(encoded);
  if (!parsed) return 'is not a hash from `npm run hash-password` (scrypt$N=…,r=…,p=…$salt$hash)';
  const { N, r, p, salt, hash } = parsed;
  const minN = development ? SCRYPT_LIMITS.minNDevelopment : SCRYPT_LIMITS.minN;
  // N ≥ 1 (parseHash); N = 1 = 2^0 is then refused as too cheap.
  if ((N & (N - 1)) !== 0) return `scrypt N=${N} must be a power of two`;
  if (N < minN) return `scrypt N=${N} is too cheap; use at least ${minN} (npm run hash-password uses 32768)`;
  if (r > SCRYPT_LIMITS.maxR || p > SCRYPT_LIMITS.maxP) return `scrypt r=${r}, p=${p} are out of range (r ≤ ${SCRYPT_LIMITS.maxR}, p ≤ ${SCRYPT_LIMITS.maxP})`;
  if (128 * N * r > SCRYPT_LIMITS.maxMemory) return `scrypt N=${N}, r=${r} needs ${Math.round((128 * N * r) / 2 ** 20)} MiB per login; at most ${SCRYPT_LIMITS.maxMemory / 2 ** 20} MiB`;
  if (salt.length < SCRYPT_LIMITS.minSaltBytes || hash.length < SCRYPT_LIMITS.minHashBytes) return 'salt and hash must each be at least 16 bytes';
  return undefined;
}

export function checkAccounts(accounts: readonly AccountConfig[], development: boolean): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const ids = new Map<string, number>();
  accounts.forEach((account, i) => {
    const problem = hashProblem(account.passwordHash, development);
    if (problem) problems.push({ field: `accounts[${i}].passwordHash`, message: problem });
    const key = account.username.trim().toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) problems.push({ field: `accounts[${i}].username`, message: `is the same as accounts[${earlier}].username apart from case or spaces; sign-in ignores both` });
    else seen.set(key, i);
    const id = account.id ?? account.username;
    const sameId = ids.get(id);
    if (sameId !== undefined) problems.push({ field: `accounts[${i}].id`, message: `is the same as accounts[${sameId}]'s` });
    else ids.set(id, i);
  });
  return problems;
}
