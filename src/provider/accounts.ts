// The bridge from our account store to the library's findAccount. OIDC-3: the library
// releases only the claims of granted scopes; OIDC-4: an ID token sent through the
// authorization endpoint carries no identity claims at all, whatever was asked for.
import type { Account as OidcAccount, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import type { AccountStore } from '../accounts/store.js';

const FRONT_CHANNEL_ROUTES = new Set(['authorization', 'resume']);

/** True when a claim set is being built for a response of the authorization endpoint. */
export function isFrontChannel(ctx: KoaContextWithOIDC | undefined, use: string, token: unknown): boolean {
  return use === 'id_token' && token === undefined && FRONT_CHANNEL_ROUTES.has(ctx?.oidc?.route ?? '');
}

export function findAccountWith(accounts: AccountStore): FindAccount {
  return async (ctx, sub, token): Promise<OidcAccount | undefined> => {
    const account = await accounts.find(sub);
    if (!account) return undefined;
    return {
      accountId: account.id,
      claims(use) {
        // OIDC-4: closes the library's gaps (`resource` or `claims` parameters) for good.
        if (isFrontChannel(ctx, use, token)) return { sub: account.id };
        return { ...account.claims, sub: account.id };
      },
    };
  };
}
