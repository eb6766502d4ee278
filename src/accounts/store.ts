// Accounts: an interface an agency can back with its own directory, and the built-in
// store fed by the deployment file.
import type { AccountConfig } from '../config/schema.js';
import { hashPassword, parseHash, verifyPassword } from './password.js';

/** A person as an account source holds them (public API; config/guides/plugins.md). */
export interface Account {
  id: string;
  /** all claims the directory holds; what is released is decided per granted scope (OIDC-3) */
  claims: Readonly<Record<string, unknown>>;
}

/**
 * An account source: the deployment file's accounts, or an agency's directory loaded from
 * `plugins.accounts` or given to createIdp. Sign-in throttling runs before it is asked.
 * The id it returns is the `sub` clients see: keep it stable.
 */
export interface AccountStore {
  /** The account id when the credentials are right; undefined otherwise, taking the same time. */
  authenticate(username: string, password: string): Promise<string | undefined>;
  find(id: string): Promise<Account | undefined>;
}

export async function createFileAccountStore(accounts: readonly AccountConfig[]): Promise<AccountStore> {
  const byUsername = new Map(accounts.map((a) => [a.username.toLowerCase(), a]));
  const byId = new Map(accounts.map((a) => [a.id ?? a.username, a]));
  // An unknown user is checked against a hash of the same cost as the accounts', so
  // failures take the same time whether or not the user exists (no enumeration by timing).
  const first = accounts.map((a) => parseHash(a.passwordHash)).find((p) => p !== undefined);
  const decoy = await hashPassword(`decoy-${Math.random()}`, first ? { N: first.N, r: first.r, p: first.p } : undefined);

  return {
    async authenticate(username, password) {
      const account = byUsername.get(username.trim().toLowerCase());
      const ok = await verifyPassword(password, account?.passwordHash ?? decoy);
      return ok && account ? (account.id ?? account.username) : undefined;
    },
    find(id) {
      const account = byId.get(id);
      return Promise.resolve(account ? { id, claims: account.claims } : undefined);
    },
  };
}
