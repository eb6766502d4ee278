// The bridge from our account store to the library's findAccount.
// OIDC-3: the library releases only the claims of granted scopes.
// OIDC-4, TOK-8: an ID token carries identity claims only when it is encrypted to the
// client (JWE); otherwise just `sub` — the claims are at /userinfo, over TLS. That also
// covers every front-channel ID token, whatever `resource` or `claims` ask for.
import type { Account as OidcAccount, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';

/** True when claims are being built for an ID token that would travel unencrypted. */
export function isPlainIdToken(ctx: KoaContextWithOIDC | undefined, use: string): boolean {
  if (use !== 'id_token') return false;
  return !ctx?.oidc?.client?.idTokenEncryptedResponseAlg;
}

/**
 * OIDC-9, OIDC-4: SMART's fhirUser (a reference such as `Patient/123`, no name or record
 * contents) rides in the ID token the token endpoint returns, when `fhirUser` was granted;
 * never in a front-channel one. The compliance report says why (src/compliance/rules/oidc.ts).
 */
export function backChannelFhirUser(ctx: KoaContextWithOIDC | undefined, scope: string, fhirUser: unknown): { fhirUser?: string } {
  if (ctx?.oidc?.route !== 'token' || typeof fhirUser !== 'string') return {};
  return scope.split(' ').includes('fhirUser') ? { fhirUser } : {};
}

export function findAccountWith(accounts: AccountStore): FindAccount {
  return async (ctx, sub): Promise<OidcAccount | undefined> => {
    const account = await accounts.find(sub);
    if (!account) return undefined;
    return {
      accountId: account.id,
      claims(use, scope) {
        if (isPlainIdToken(ctx, use)) return { sub: account.id, ...backChannelFhirUser(ctx, scope, account.claims.fhirUser) };
        return { ...account.claims, sub: account.id };
      },
    };
  };
}
