// The built-in account store: people, their password hashes and claims.
import { z } from 'zod';

export const account = z.strictObject({
  id: z.string().min(1).optional().meta({ description: 'The person\'s `sub`.', defaultText: 'the username' }),
  username: z.string().min(1).describe('What the person types to sign in.'),
  passwordHash: z
    .string()
    .startsWith('scrypt$', 'a hash from `npm run hash-password` (scrypt$…)')
    .describe('`scrypt$…` as printed by `npm run hash-password`. Passwords are never stored otherwise.'),
  claims: z.record(z.string(), z.unknown()).default({}).describe('All the person\'s claims; only those of granted scopes are released (OIDC-3).'),
});

export const accounts = z
  .array(account)
  .default([])
  .describe('The built-in account store. Usernames must differ by more than case. Hashes must have scrypt `N` a power of two from 16384 (1024 in development) with `128·N·r` at most 256 MiB, `r` ≤ 32, `p` ≤ 16.');
