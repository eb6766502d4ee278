// A person's second factors, behind an interface an agency's directory can supply instead
// (createIdp's `factors` option). The built-in one keeps one record per account in the
// configured store, sealed like every other record (TOK-2): TOTP secrets, passkeys'
// public keys and counters, recovery-code hashes — never a recovery code itself.
import type { Store } from '../storage/store.js';

export interface TotpFactor {
  /** base32 (RFC 4648), as authenticator apps take it */
  secret: string;
  /** seconds since the epoch */
  created: number;
  /** the last 30-second step a code was accepted for: a code of that step or earlier is a replay */
  lastStep?: number | undefined;
}

export interface PasskeyFactor {
  /** the credential id, base64url */
  id: string;
  /** COSE public key, base64url */
  publicKey: string;
  /** WebAuthn signature counter (0 for authenticators that do not count) */
  counter: number;
  transports?: string[] | undefined;
  /** a synced passkey (`swk`) rather than one bound to a device (`hwk`) */
  multiDevice: boolean;
  created: number;
  name: string;
}

export interface RecoveryCodes {
  /** keyed hashes of the codes not used yet */
  hashes: string[];
  created: number;
}

export interface AccountFactors {
  totp?: TotpFactor | undefined;
  passkeys: PasskeyFactor[];
  recovery?: RecoveryCodes | undefined;
}

export interface FactorStore {
  get(accountId: string): Promise<AccountFactors>;
  put(accountId: string, factors: AccountFactors): Promise<void>;
}

export const NO_FACTORS: AccountFactors = Object.freeze({ passkeys: [] });

export function hasAnyFactor(f: AccountFactors): boolean {
  return Boolean(f.totp) || f.passkeys.length > 0 || Boolean(f.recovery?.hashes.length);
}

const MODEL = 'AccountFactors';

/** The built-in factor store: one sealed record per account, kept until removed. */
export function storeFactors(store: Store): FactorStore {
  const adapter = store.adapter(MODEL);
  return {
    async get(accountId) {
      const record = (await adapter.find(accountId)) as { factors?: AccountFactors } | undefined;
      return record?.factors ? { ...record.factors, passkeys: record.factors.passkeys ?? [] } : { passkeys: [] };
    },
    async put(accountId, factors) {
      if (!hasAnyFactor(factors)) return adapter.destroy(accountId);
      await adapter.upsert(accountId, { kind: MODEL, factors }, undefined);
    },
  };
}
