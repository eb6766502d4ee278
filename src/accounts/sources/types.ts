// What every identity source offers the sign-in. A password source checks a username and
// password (the file accounts, a directory, a plug-in); a redirect source sends the person
// to an upstream provider. Either way an account id comes back, and find() gives its claims.
import { StoreUnavailableError } from '../../storage/store.js';
import type { Account, AccountStore } from '../store.js';

export interface SourceInfo {
  /** stable id: part of its people's `sub`, named in the ledger and /readyz */
  readonly id: string;
  readonly kind: 'file' | 'ldap' | 'oidc' | 'plugin';
  /** what people see */
  readonly label: string;
}

export interface PasswordSource extends SourceInfo, AccountStore {
  /** this source's account for a claim value (e.g. an NHI number), for linking upstream people */
  findByClaim?(claim: string, value: string): Promise<Account | undefined>;
  /** true when the source can be asked now (/readyz) */
  ready?(): Promise<boolean>;
  close?(): Promise<void>;
}

/**
 * The source cannot be asked (a directory down or timing out): the sign-in says so plainly
 * and is not counted as a wrong password; OAuth endpoints answer 503 temporarily_unavailable.
 */
export class SourceUnavailableError extends StoreUnavailableError {
  constructor(
    readonly source: SourceInfo,
    options: { cause?: unknown } = {},
  ) {
    super(`identity source ${source.id} unreachable`, options);
    this.name = 'SourceUnavailableError';
  }
}
